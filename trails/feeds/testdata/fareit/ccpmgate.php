http://fareit-panel.example.com/gate.php
https://45.95.11.203/pony/gate.php
kbfvzoboss.bid/alien/fre.php
# comment
