resource "aws_lambda_function" "current" {
  function_name = "current"
  role          = "arn:aws:iam::123456789012:role/fn"
  runtime       = "python3.13"
}

resource "aws_s3_bucket" "versioned" {
  bucket = "versioned"
  versioning {
    enabled = true
  }
}
