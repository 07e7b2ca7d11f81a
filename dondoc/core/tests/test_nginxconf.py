"""The nginx configuration of several nodes: filled in completely, valid, and consistent
with the app servers' keep-alive."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from dondoc.core import nginxconf
from dondoc.core.management.commands.serve import gunicorn_argv


def _render(tmp_path: Path) -> str:
    return nginxconf.render(prefix=str(tmp_path), listen="127.0.0.1:18080",
                            nodes=["127.0.0.1:18101", "127.0.0.1:18102"],
                            static_root=str(tmp_path / "static"))


def test_every_placeholder_is_filled_and_every_node_is_an_upstream(tmp_path: Path) -> None:
    conf = _render(tmp_path)
    assert "${" not in conf
    assert "server 127.0.0.1:18101 max_fails=1" in conf
    assert "server 127.0.0.1:18102 max_fails=1" in conf
    assert "proxy_next_upstream error timeout" in conf
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
    assert "client_max_body_size 25m;" in conf


def test_no_node_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one app node"):
        nginxconf.render(prefix=str(tmp_path), listen="x:1", nodes=[], static_root="/s")


def test_the_app_keeps_idle_connections_longer_than_nginx_does(tmp_path: Path) -> None:
    seconds = re.search(r"^\s*keepalive_timeout (\d+)s;\s*$", _render(tmp_path).split(
        "upstream dondoc")[1], re.MULTILINE)
    assert seconds is not None
    argv = gunicorn_argv(bind="127.0.0.1:8000", workers=1, threads=1)
    assert int(argv[argv.index("--keep-alive") + 1]) == settings.DONDOC_KEEPALIVE_SECONDS
    assert int(seconds.group(1)) < settings.DONDOC_KEEPALIVE_SECONDS


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(_render(tmp_path))
    result = subprocess.run(
        [str(shutil.which("nginx")), "-t", "-p", str(tmp_path), "-c", str(conf),
         "-e", str(tmp_path / "error.log")], capture_output=True, text=True, timeout=30,
        check=False)
    assert result.returncode == 0, result.stderr


def test_the_redis_client_that_redis_url_needs_is_installed() -> None:
    # Django's RedisCache imports it only at the first cache use: without it, every page
    # that touches the session or the rate limits answers 500 on a REDIS_URL deployment.
    from django.core.cache.backends.redis import RedisCacheClient

    client = RedisCacheClient(["redis://127.0.0.1:6379/0"])
    assert client._lib.__name__ == "redis"


def test_nodes_sharing_a_data_folder_can_leave_the_static_files_to_the_deployment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.management import call_command

    from dondoc.core.management.commands import serve

    calls: list[str] = []
    monkeypatch.setattr(serve, "call_command", lambda name, **kwargs: calls.append(name))
    monkeypatch.setattr(serve.os, "execv", lambda *args: calls.append("gunicorn"))
    call_command("serve", "--no-worker", "--no-collectstatic")
    assert calls == ["gunicorn"]
    calls.clear()
    call_command("serve", "--no-worker")
    assert calls == ["collectstatic", "gunicorn"]
