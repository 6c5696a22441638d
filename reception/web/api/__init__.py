"""JSON API `/api/v1`, described by OpenAPI 3 (`/api/v1/openapi.json`, docs at `/api/v1/docs`).

We use flask-smorest (marshmallow + apispec): it works with plain Flask blueprints and our app
factory, validates every request against the declared schemas, and publishes OpenAPI 3.0, the
version schemathesis and most integration tooling support fully.

Staff authenticate with `Authorization: Bearer <token>`; browser cookies are not accepted here,
which is why the API needs no CSRF token. Every error is `{"error": <snake_case code>,
"message": <sentence in the request's language>}`.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api

from reception.web.api import appointments, queue, reports  # noqa: F401 - add their routes to the blueprint
from reception.web.api.common import bp
from reception.web.api.schemas import ErrorSchema
from reception.web.edge.guard import MAX_ID, IdConverter


class ReceptionApi(Api):
    ERROR_SCHEMA = ErrorSchema


api = ReceptionApi()

SPEC_CONFIG: dict[str, Any] = {
    "API_TITLE": "Reception hall API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "/vendor/swagger-ui/",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": (
                "Queue, tickets and appointments of a joint-reception hall. Staff operations "
                "need `Authorization: Bearer <token>` (`reception create-user --api-token`)."
            )
        },
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    },
}


def init_app(app: Flask) -> None:
    for key, value in SPEC_CONFIG.items():
        app.config.setdefault(key, value)
    api.init_app(app)
    api.register_converter(
        IdConverter, lambda converter: {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    )
    api.register_blueprint(bp)
