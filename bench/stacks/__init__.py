"""The stacks measured by bench/run.py: one module per stack, each exposing ``handler(event, context)``.

This file is plain data (no imports): the orchestrator reads it with the system Python, and cold-start
children import it before the stack module, so it must cost nothing.

Keys:
- ``module``: the module under ``stacks`` that defines ``handler``.
- ``label``: how tables name it; ``group`` merges rows (Powertools has one resolver class per payload format).
- ``kind``: ``ours`` (lambda_micro), ``peer`` (a framework users would pick instead), ``floor`` (a
  hand-written handler returning the dict, the lower bound), ``adapter-ours`` / ``adapter-peer`` (the same
  raw WSGI app behind our adapter and behind apig-wsgi), ``bound`` (the six routes on werkzeug's Map,
  Request and Response with no framework: at cold start, what any stack on werkzeug's routing and wrappers
  costs at least; warm, werkzeug used plainly, which lambda_micro's hot path is not).
- ``sources``: payload format -> None when served, or the reason it is not (reported as n/a).
- ``routes_na``: route -> why the function is never invoked for it (reported as n/a for that route).
- ``requirements``: what its deployment package installs (boto3/botocore excluded: the runtime has them).
- ``cold_source``: the payload format of its cold-start sample.
- ``rest_resources`` (optional): ``per-route`` when its REST events name the route's own API Gateway resource
  (Chalice), else a ``/{proxy+}`` resource as SAM deploys a WSGI app.
"""

ROUTES = ("hello", "user", "echo", "page", "bin", "missing")
SOURCES = ("1.0", "2.0", "alb")

STACKS = [
    {
        "module": "lambda_micro_app",
        "label": "lambda_micro",
        "group": "lambda_micro",
        "kind": "ours",
        "sources": {"1.0": None, "2.0": None, "alb": None},
        "routes_na": {},
        "requirements": ["<repo>"],
        "cold_source": "1.0",
    },
    {
        "module": "flask_awsgi",
        "label": "Flask + aws-wsgi",
        "group": "Flask + aws-wsgi",
        "kind": "peer",
        "sources": {
            "1.0": None,
            "2.0": "aws-wsgi reads only REST payload 1.0 fields",
            "alb": "aws-wsgi reads only REST payload 1.0 fields",
        },
        "routes_na": {},
        "requirements": ["flask", "aws-wsgi"],
        "cold_source": "1.0",
    },
    {
        "module": "flask_apig",
        "label": "Flask + apig-wsgi",
        "group": "Flask + apig-wsgi",
        "kind": "peer",
        "sources": {"1.0": None, "2.0": None, "alb": None},
        "routes_na": {},
        "requirements": ["flask", "apig-wsgi"],
        "cold_source": "1.0",
    },
    {
        "module": "flask_serverless",
        "label": "Flask + serverless-wsgi",
        "group": "Flask + serverless-wsgi",
        "kind": "peer",
        "sources": {"1.0": None, "2.0": None, "alb": None},
        "routes_na": {},
        "requirements": ["flask", "serverless-wsgi"],
        "cold_source": "1.0",
    },
    {
        "module": "bottle_apig",
        "label": "Bottle + apig-wsgi",
        "group": "Bottle + apig-wsgi",
        "kind": "peer",
        "sources": {"1.0": None, "2.0": None, "alb": None},
        "routes_na": {},
        "requirements": ["bottle", "apig-wsgi", "jinja2"],
        "cold_source": "1.0",
    },
    {
        "module": "chalice_app",
        "label": "Chalice",
        "group": "Chalice",
        "kind": "peer",
        "sources": {
            "1.0": None,
            "2.0": "Chalice deploys REST APIs only (it routes on requestContext.resourcePath)",
            "alb": "Chalice deploys REST APIs only (it routes on requestContext.resourcePath)",
        },
        "routes_na": {
            "missing": "Chalice creates one API Gateway resource per route: API Gateway itself answers "
            "an unknown path, the function is not invoked",
        },
        "requirements": ["<chalice-runtime>", "jinja2"],
        "rest_resources": "per-route",
        "cold_source": "1.0",
    },
    {
        "module": "powertools_rest",
        "label": "Powertools APIGatewayRestResolver",
        "group": "Powertools resolver",
        "kind": "peer",
        "sources": {
            "1.0": None,
            "2.0": "APIGatewayRestResolver reads REST payload 1.0 (see APIGatewayHttpResolver)",
            "alb": "APIGatewayRestResolver reads REST payload 1.0 (see ALBResolver)",
        },
        "routes_na": {},
        "requirements": ["aws-lambda-powertools", "jinja2"],
        "cold_source": "1.0",
    },
    {
        "module": "powertools_http",
        "label": "Powertools APIGatewayHttpResolver",
        "group": "Powertools resolver",
        "kind": "peer",
        "sources": {
            "1.0": "APIGatewayHttpResolver reads HTTP API payload 2.0",
            "2.0": None,
            "alb": "APIGatewayHttpResolver reads HTTP API payload 2.0",
        },
        "routes_na": {},
        "requirements": ["aws-lambda-powertools", "jinja2"],
        "cold_source": "2.0",
    },
    {
        "module": "powertools_alb",
        "label": "Powertools ALBResolver",
        "group": "Powertools resolver",
        "kind": "peer",
        "sources": {
            "1.0": "ALBResolver reads ALB events",
            "2.0": "ALBResolver reads ALB events",
            "alb": None,
        },
        "routes_na": {},
        "requirements": ["aws-lambda-powertools", "jinja2"],
        "cold_source": "alb",
    },
    {
        "module": "starlette_mangum",
        "label": "Starlette + Mangum",
        "group": "Starlette + Mangum",
        "kind": "peer",
        "sources": {"1.0": None, "2.0": None, "alb": None},
        "routes_na": {},
        "requirements": ["starlette", "mangum", "jinja2"],
        "cold_source": "1.0",
    },
    {
        "module": "floor",
        "label": "hand-written handler (floor)",
        "group": "hand-written handler (floor)",
        "kind": "floor",
        "sources": {"1.0": None, "2.0": None, "alb": None},
        "routes_na": {},
        "requirements": ["jinja2"],
        "cold_source": "1.0",
    },
    {
        "module": "werkzeug_alone",
        "label": "werkzeug alone",
        "group": "werkzeug alone",
        "kind": "bound",
        "sources": {"1.0": None, "2.0": None, "alb": None},
        "routes_na": {},
        # Its zip is werkzeug and jinja2 only (with markupsafe): what every stack on them ships. Its
        # adapter (lambda_micro's) is left out, so the zip bound is the dependencies' share alone.
        "requirements": ["werkzeug", "jinja2"],
        "cold_source": "1.0",
    },
    {
        "module": "adapter_ours",
        "label": "raw WSGI app + lambda_micro adapter",
        "group": "raw WSGI app + lambda_micro adapter",
        "kind": "adapter-ours",
        "sources": {"1.0": None, "2.0": None, "alb": None},
        "routes_na": {},
        "requirements": ["<repo>"],
        "cold_source": "1.0",
    },
    {
        "module": "adapter_apig",
        "label": "raw WSGI app + apig-wsgi",
        "group": "raw WSGI app + apig-wsgi",
        "kind": "adapter-peer",
        "sources": {"1.0": None, "2.0": None, "alb": None},
        "routes_na": {},
        "requirements": ["apig-wsgi", "jinja2"],
        "cold_source": "1.0",
    },
]
