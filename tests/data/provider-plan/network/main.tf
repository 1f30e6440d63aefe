provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "deploy"
  secret_key                  = "pr0v-module-secret-6w5e"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

resource "aws_sqs_queue" "events" {
  name                    = "events"
  sqs_managed_sse_enabled = true
}
