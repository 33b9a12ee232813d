45.95.169.112/panel/cp.php?m=login<br />
zeus-cc.example.net/admin/<br />
lokibot-panel.xyz/fre.php<br />
103.149.13.182:8080/ponyb/gate.php<br />
amadey-c2.top<br />
secure-c2.example.org/panel/ (SSL)<br />
http://old-style.example.com/cp.php?m=login<br />
