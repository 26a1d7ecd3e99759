"""Authorizers in the local gateway: the template's ``Auth`` enforced as API Gateway enforces it.

- ``stage``: :class:`~.stage.GatewayAuth`, the pipeline's authorization stage (one per gateway).
- ``tokens``, ``keys``, ``dev_issuer``: JWT verification (joserfc), where keys come from (the local
  Cognito, the dev issuer, an issuer's JWKS), and the local key that signs dev tokens.
- ``lambda_authorizer``, ``policy``, ``cache``: Lambda authorizers' events, their IAM policies, their TTL.
- ``sigv4``, ``credentials``: IAM authorization (SigV4 verified with botocore's signer, moto's keys).
- ``contexts``, ``principal``: what an authorizer puts in the event (API Gateway's string forms), and the
  test kit's ``as_user(...)`` principal shaped the same way.

The template side is :mod:`lambda_micro.local.sam.auth` (reading) and
:mod:`~lambda_micro.local.sam.auth_model` (the model).
Nothing here is imported by the runtime: ``request.identity`` only reads what the event carries.
"""
