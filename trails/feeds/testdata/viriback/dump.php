Family,URL,IP,FirstSeen
AgentTesla,http://agenttesla-panel.example.com/webpanel/login.php,104.21.5.11,2024-01-11
Pony,http://45.95.11.203/pony/panel/admin.php,45.95.11.203,2024-01-10
LokiBot,https://loki.example.xsph.ru.xsph.ru/fre.php?id=1#top,141.8.192.151,2024-01-09
Amadey,http://185.215.113.43/Dx3bEpaL/index.php,185.215.113.43,2024-01-09
RedLine,http://redline-c2.example.org,1.2.3.4,2024-01-08
Formbook,http://45.61.136.22/index.php,45.61.136.22,2024-01-07
Broken http://no-comma.example
