"""lambda_micro: a Flask-like micro-framework for AWS Lambda (placeholder, being replaced by the core work)."""
