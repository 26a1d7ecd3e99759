"""Development-time tools, never imported by ``import lambda_micro`` (the distribution lambda-micro-local).

One request pipeline serves ``lambda-micro serve``, the test client and ``lambda-micro check``::

    HTTP server (server.py, waitress) ─┐
    testing.Client ────────────────────┼─► gateway.LocalGateway.handle(exchange.GatewayRequest)
    drift.check_drift ─────────────────┘      routing (which route) → fronts (the service's rules, limits:
                                              apigw, or vpc_lattice and cloudfront for the test client)
                                              → auth/ (the route's authorizer: on, or API Gateway's refusal)
                                              → integration.request_event → events/ (one module per source)
                                              → invoke (thread, Timeout) → loader (the function's code)
                                              → results.parse_result → exchange.GatewayResponse

- ``sam/``: the template model (``model``), read from YAML (``reader``, ``tables``, ``layers``,
  ``references``) with CloudFormation's intrinsic functions (``intrinsics``, ``stack``, ``cfn_yaml``).
- ``loader``, ``isolation``, ``environ``, ``context``: a function imported from its CodeUri with private
  modules and its own environment, and the Lambda context it gets.
- ``embedded_aws``, ``resources``, ``dynamodb_atomic``, ``cognito``: moto's server with the template's
  tables, buckets and user pools (under the template's ids), DynamoDB's item atomicity kept.
- ``auth/``: authorizers (JWT, Cognito, Lambda, IAM, API keys) enforced as API Gateway does; ``workdir``:
  the ``.lambda-micro/`` folder beside the template (the running server, local users, the dev issuer key).
- ``devserver``, ``reload``, ``envvars``, ``console``, ``cli``, ``cli_invoke``, ``cli_auth``: the
  ``lambda-micro`` command around them.
- ``project``: ``lambda-micro new``, a new SAM project rendered from the files in ``project/template/``.
"""
