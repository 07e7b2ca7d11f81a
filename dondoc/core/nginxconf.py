"""Fill in deploy/nginx.conf.template: nginx in front of several dondoc nodes.

    python -m dondoc.core.nginxconf --prefix /var/lib/dondoc-nginx --listen 127.0.0.1:8080 \\
        --node 10.0.0.11:8000 --node 10.0.0.12:8000 --static-root /var/lib/dondoc/static \\
        > /etc/nginx/dondoc.conf

Only the ``${NAME}`` placeholders are replaced; nginx's own ``$variables`` stay as they are.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf.template"
_PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)\}")


def render(*, prefix: str, listen: str, nodes: list[str], static_root: str,
           max_body: str = "25m", template: Path = TEMPLATE) -> str:
    if not nodes:
        raise ValueError("at least one app node (HOST:PORT) is needed")
    values = {
        "PREFIX": prefix.rstrip("/"),
        "LISTEN": listen,
        "UPSTREAMS": "\n".join(f"        server {node} max_fails=1 fail_timeout=10s;"
                               for node in nodes),
        "STATIC_ROOT": static_root.rstrip("/"),
        "MAX_BODY": max_body,
    }

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"no value for ${{{name}}} in {template}")
        return values[name]

    return _PLACEHOLDER.sub(fill, template.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", required=True, help="folder for pid, logs, temp files")
    parser.add_argument("--listen", default="127.0.0.1:8080")
    parser.add_argument("--node", action="append", required=True, help="HOST:PORT of a node")
    parser.add_argument("--static-root", required=True)
    parser.add_argument("--max-body", default="25m")
    args = parser.parse_args(argv)
    sys.stdout.write(render(prefix=args.prefix, listen=args.listen, nodes=args.node,
                            static_root=args.static_root, max_body=args.max_body))


if __name__ == "__main__":
    main()
