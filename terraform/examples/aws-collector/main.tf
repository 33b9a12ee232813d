# One Spoor collector on EC2: Debian 12, an encrypted EBS volume for the
# embedded event store, and a security group for HTTPS and UDP ingest.
# The host's files come from the cloud-agnostic collector module.

module "collector" {
  source = "../../modules/collector"

  https_port          = 8443
  udp_port            = 8443
  data_device         = "/dev/nvme1n1" # /dev/sdf below, as Nitro instances name it
  admin_password      = var.admin_password
  spoor_binary_url    = var.spoor_binary_url
  spoor_binary_sha256 = var.spoor_binary_sha256
  chdb_library_url    = var.chdb_library_url
  chdb_library_sha256 = var.chdb_library_sha256
}

data "aws_ami" "debian" {
  most_recent = true
  owners      = ["136693071363"] # Debian
  filter {
    name   = "name"
    values = ["debian-12-amd64-*"]
  }
}

resource "aws_security_group" "collector" {
  name        = var.name
  description = "Spoor collector: sensor ingest (HTTPS, UDP) and API"
  vpc_id      = var.vpc_id
  tags        = { Name = var.name }
}

resource "aws_vpc_security_group_ingress_rule" "sensors" {
  for_each = {
    for pair in setproduct(module.collector.firewall_rules, var.sensor_cidrs) :
    "${pair[0].protocol}/${pair[0].port}/${pair[1]}" => { rule = pair[0], cidr = pair[1] }
  }

  security_group_id = aws_security_group.collector.id
  description       = each.value.rule.description
  ip_protocol       = each.value.rule.protocol
  from_port         = each.value.rule.port
  to_port           = each.value.rule.port
  cidr_ipv4         = each.value.cidr
}

resource "aws_vpc_security_group_ingress_rule" "admins" {
  for_each = toset(var.admin_cidrs)

  security_group_id = aws_security_group.collector.id
  description       = "HTTPS: API and dashboard"
  ip_protocol       = "tcp"
  from_port         = 8443
  to_port           = 8443
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.collector.id
  description       = "Downloads, feeds, webhooks"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_instance" "collector" {
  ami                         = data.aws_ami.debian.id
  instance_type               = var.instance_type
  subnet_id                   = var.subnet_id
  vpc_security_group_ids      = [aws_security_group.collector.id]
  user_data                   = module.collector.cloud_init
  user_data_replace_on_change = true

  metadata_options {
    http_tokens = "required" # IMDSv2 only
  }

  root_block_device {
    volume_size = 20
    encrypted   = true
  }

  tags = { Name = var.name }
}

resource "aws_ebs_volume" "data" {
  availability_zone = aws_instance.collector.availability_zone
  size              = var.data_volume_gib
  type              = "gp3"
  encrypted         = true
  tags              = { Name = "${var.name}-data" }
}

resource "aws_volume_attachment" "data" {
  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.data.id
  instance_id = aws_instance.collector.id
}
