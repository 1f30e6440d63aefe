variable "runtime" {
  type    = string
  default = "python3.7"
}

variable "chosen_at_apply" {
  type = string
}

resource "aws_lambda_function" "legacy" {
  function_name = "legacy"
  role          = "arn:aws:iam::123456789012:role/fn"
  runtime       = "nodejs14.x" # expect: ORG100@aws_lambda_function.legacy
  timeout       = 900          # expect: ORG102@aws_lambda_function.legacy
}

resource "aws_lambda_function" "from_default" {
  count         = 2
  function_name = "from-default-${count.index}"
  role          = "arn:aws:iam::123456789012:role/fn"
  runtime       = var.runtime # expect: ORG100@aws_lambda_function.from_default[0] # expect: ORG100@aws_lambda_function.from_default[1]
}

resource "aws_lambda_function" "from_apply" {
  function_name = "from-apply"
  role          = "arn:aws:iam::123456789012:role/fn"
  runtime       = var.chosen_at_apply # expect-unknown: ORG100@aws_lambda_function.from_apply
}

resource "aws_s3_bucket" "unversioned" { # expect: ORG101@aws_s3_bucket.unversioned
  bucket = "unversioned"
}

resource "aws_s3_bucket" "suspended" {
  bucket = "suspended"
  versioning {
    enabled = false # expect: ORG101@aws_s3_bucket.suspended
  }
}
