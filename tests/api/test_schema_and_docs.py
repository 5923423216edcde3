"""The OpenAPI schema is valid and warning-free; Swagger UI is served from our own static files and works under our CSP."""

from __future__ import annotations

import os

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from tests.browser.conftest import CHROMIUM_ARGS, SCREENSHOTS


def test_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["info"]["title"] == "Rapport API"
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_operation_documents_the_error_body(schema):
    for path, method, operation in _operations(schema):
        codes = set(operation["responses"])
        assert {"400", "403", "404", "429"} <= codes, (path, method)
        if path != "/api/v1/auth/token/":
            assert "401" in codes, (path, method)
        error = operation["responses"]["404"]["content"]["application/json"]
        assert error["schema"] == {"$ref": "#/components/schemas/Error"}
        assert error["examples"]


def test_every_write_has_a_request_example(schema):
    for path, method, operation in _operations(schema):
        body = operation.get("requestBody")
        if body is None:
            continue
        content = body["content"]
        media = content["application/json"] if "application/json" in content else content["multipart/form-data"]  # uploads
        assert media.get("examples"), (path, method)


def test_schema_and_docs_are_served(client):
    schema = client.get(reverse("api:schema"))
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    docs = client.get(reverse("api:docs"))
    html = docs.content.decode()
    assert docs.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "<script>" not in html and "<style>" not in html
    assert "cdn" not in html.lower()
    script = client.get(reverse("api:docs") + "?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_in_chromium_under_our_csp(live_server, chromium_path, browser_type):
    """Through pytest-playwright's one Playwright per process (`browser_type`): a second one started here fails
    ("Sync API inside the asyncio loop") whenever a browser test ran earlier in the same process."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    errors: list[str] = []
    browser = browser_type.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
    try:
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        response = page.goto(f"{live_server.url}/api/docs/")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_selector(".swagger-ui .info .title", timeout=20000)
        title = page.inner_text(".swagger-ui .info .title")
        operations = page.locator(".opblock").count()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "api-docs.png"))
    finally:
        browser.close()
    assert "Rapport API" in title
    assert operations > 40
    assert errors == []
