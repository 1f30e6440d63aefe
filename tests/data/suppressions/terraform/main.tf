resource "aws_security_group" "bastion" { # iaclint: ignore[IAC001] reason="bastion host, reviewed by security"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "legacy" {
  ingress {
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"] // iaclint: ignore[IAC001] reason="until the migration" expires=2020-06-30
  }
}
