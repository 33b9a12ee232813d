<!DOCTYPE html>
<html>
<head><title>CyberCrime - Atmos Strategic Monitoring</title></head>
<body>
<h1>Atmos Strategic Monitoring</h1>
<table class="ExtraTable">
<tr><th>Date</th><th>Domain</th><th>Detail</th></tr>
<tr><td>11-01-2024</td><td>bankupd.ru</td>
<td style="background-color: rgb(11, 11, 11);"><a href="ccamdetail.php?hash=5f2b4c0a8e7d6f1e3c9a">view</a></td></tr>
<tr><td>10-01-2024</td><td>panel.atm-tracker.xyz</td>   <td style="background-color: rgb(11, 11, 11);"><a href="ccamdetail.php?hash=1a2b3c4d5e6f">view</a></td></tr>
<tr><td>09-01-2024</td><td>no-detail.example</td><td>-</td></tr>
<tr><td>08-01-2024</td><td>185.117.75.34</td>
<td style="background-color: rgb(11, 11, 11);"><a href="ccamdetail.php?hash=9f8e7d">view</a></td></tr>
</table>
</body>
</html>
