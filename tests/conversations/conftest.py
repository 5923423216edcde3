import pytest
from django.urls import reverse

from tests import factories as f


@pytest.fixture
def task(world):
    return f.TaskFactory(project=world.project, owner=world.client, side="client", title="Homepage copy")


@pytest.fixture
def internal_task(world):
    return f.TaskFactory(project=world.project, owner=world.team, side="team", internal=True, title="Server costs")


def thread_url(task) -> str:
    return reverse("conversations:task-comments", args=[task.project.slug, task.pk])


def api_url(task) -> str:
    return reverse("api:task-comment-list", args=[task.project.slug, task.pk])


# Files: the same tests run against the local default and an S3-compatible server (moto in server mode).
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" \
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"PE\x00\x00"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(scope="session")
def s3_endpoint():
    """A local S3-compatible server for the session (moto's server in a thread, on a free port)."""
    from tests.conftest import _need

    try:
        from moto.server import ThreadedMotoServer
    except ImportError:  # pragma: no cover - requirements-dev installs it
        _need(False, "moto[server] is not installed (requirements-dev.txt)")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    try:
        server.start()
    except OSError as error:
        _need(False, f"the local S3 server did not start: {error}")
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(params=["local", "s3"])
def media(request, settings, tmp_path, monkeypatch):
    """The default storage for one test: files under a temporary folder, or a fresh bucket on the S3 server, both
    configured from MEDIA_STORAGE_URL as an operator would."""
    import uuid

    from portal.settings.env import media_storage_config

    if request.param == "local":
        monkeypatch.setenv("MEDIA_STORAGE_URL", f"file://{tmp_path / 'media'}")
    else:
        import boto3

        endpoint = request.getfixturevalue("s3_endpoint")
        bucket = f"rapport-{uuid.uuid4().hex[:12]}"
        boto3.client(
            "s3", endpoint_url=endpoint, aws_access_key_id="test-key", aws_secret_access_key="test-secret",
            region_name="us-east-1",
        ).create_bucket(Bucket=bucket)
        monkeypatch.setenv("MEDIA_STORAGE_URL", f"s3://test-key:test-secret@{bucket}?endpoint_url={endpoint}&region=us-east-1")
    settings.STORAGES = {**settings.STORAGES, "default": media_storage_config()}
    return request.param
