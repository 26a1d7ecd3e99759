"""The Lambda context object the cold-start children pass (standard library only, nothing imported: the
children measure what the stacks import)."""


class LambdaContext:
    """The attributes and method of the Lambda Python runtime's context object."""

    function_name = "bench-function"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench-function"
    memory_limit_in_mb = "512"
    aws_request_id = "00000000-0000-0000-0123-456789abcdef"
    log_group_name = "/aws/lambda/bench-function"
    log_stream_name = "2026/11/24/[$LATEST]0123456789abcdef0123456789abcdef"
    identity = None
    client_context = None

    def get_remaining_time_in_millis(self) -> int:
        return 30_000
