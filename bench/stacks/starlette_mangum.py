"""Starlette behind Mangum (lifespan off: the app has no startup work, so no lifespan cycle per call)."""

from __future__ import annotations

from mangum import Mangum
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from ._shared import BINARY, BINARY_TYPE, ITEMS, TEMPLATE_DIR, TEMPLATE_NAME, TEXT_TYPE, user_payload

templates = Jinja2Templates(directory=TEMPLATE_DIR)


async def hello(request: Request) -> Response:
    return Response("hello", headers={"Content-Type": TEXT_TYPE})


async def user(request: Request) -> Response:
    verbose = request.query_params.get("verbose") == "1"
    return JSONResponse(user_payload(request.path_params["user_id"], verbose))


async def echo(request: Request) -> Response:
    return JSONResponse(await request.json())


async def page(request: Request) -> Response:
    return templates.TemplateResponse(
        request, TEMPLATE_NAME, {"name": request.path_params["name"], "items": ITEMS}
    )


async def binary(request: Request) -> Response:
    return Response(BINARY, media_type=BINARY_TYPE)


app = Starlette(
    routes=[
        Route("/", hello, methods=["GET"]),
        Route("/users/{user_id}", user, methods=["GET"]),
        Route("/echo", echo, methods=["POST"]),
        Route("/page/{name}", page, methods=["GET"]),
        Route("/bin", binary, methods=["GET"]),
    ]
)

handler = Mangum(app, lifespan="off")
