variable "secret_key" {
  type      = string
  sensitive = true
  default   = "pr0v-default-secret-4k2m"
}

provider "aws" {
  region                      = "us-east-1"
  secret_key                  = var.secret_key
  access_key                  = "AKIAIOSFODNN7EXAMPLE"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

provider "aws" {
  alias                       = "west"
  region                      = "us-west-2"
  access_key                  = "deploy"
  secret_key                  = "pr0v-literal-secret-7q1z"
  token                       = "pr0v-literal-token-2b6v"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

module "network" {
  source = "./network"
}

resource "aws_sqs_queue" "jobs" {
  provider                = aws.west
  name                    = "jobs"
  sqs_managed_sse_enabled = true
}
