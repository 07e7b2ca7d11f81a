#!/usr/bin/env bash
# Refresh static/vendor/ from the pinned npm packages below (run by `make vendor`).
# The copied files are committed: the application never loads anything from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
packages=(
  bootstrap@5.3.9
  bootstrap-icons@1.13.2
  @fontsource/be-vietnam-pro@5.3.0
  htmx.org@2.0.11
  chart.js@4.6.1
  tom-select@2.6.2
  swagger-ui-dist@5.35.0
  vanillajs-datepicker@1.3.4
  axe-core@4.14.1
  trix@2.1.19
)
(cd "$work" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund "${packages[@]}")
nm="$work/node_modules"
out=static/vendor
rm -rf "$out"
mkdir -p "$out"/{bootstrap,bootstrap-icons/fonts,be-vietnam-pro/files,htmx,chartjs,tom-select,swagger-ui}
mkdir -p "$out"/{datepicker,axe-core,trix}
cp "$nm/bootstrap/dist/css/bootstrap.min.css" "$nm/bootstrap/dist/js/bootstrap.bundle.min.js" \
   "$nm/bootstrap/LICENSE" "$out/bootstrap/"
cp "$nm/bootstrap-icons/font/bootstrap-icons.min.css" "$nm/bootstrap-icons/LICENSE" "$out/bootstrap-icons/"
cp "$nm/bootstrap-icons/font/fonts/bootstrap-icons.woff2" "$nm/bootstrap-icons/font/fonts/bootstrap-icons.woff" \
   "$out/bootstrap-icons/fonts/"
for weight in 400 500 600 700; do
  for subset in vietnamese latin latin-ext; do
    cp "$nm/@fontsource/be-vietnam-pro/files/be-vietnam-pro-$subset-$weight-normal.woff2" "$out/be-vietnam-pro/files/"
  done
  cp "$nm/@fontsource/be-vietnam-pro/$weight.css" "$out/be-vietnam-pro/$weight.css"
done
cp "$nm/@fontsource/be-vietnam-pro/LICENSE" "$out/be-vietnam-pro/"
# Keep only the woff2 sources we ship (the CSS also lists .woff fallbacks we drop).
sed -i -E 's/, url\([^)]*\.woff\) format\(.woff.\)//g' "$out"/be-vietnam-pro/*.css
cp "$nm/htmx.org/dist/htmx.min.js" "$out/htmx/"
cp "$nm/htmx.org/LICENSE" "$out/htmx/"
cp "$nm/chart.js/dist/chart.umd.min.js" "$nm/chart.js/LICENSE.md" "$out/chartjs/"
cp "$nm/tom-select/dist/js/tom-select.complete.min.js" \
   "$nm/tom-select/dist/css/tom-select.bootstrap5.min.css" "$nm/tom-select/LICENSE" "$out/tom-select/"
# The API documentation page (/api/v1/docs) uses Swagger UI, served from here.
cp "$nm/swagger-ui-dist/swagger-ui-bundle.js" "$nm/swagger-ui-dist/swagger-ui.css" \
   "$nm/swagger-ui-dist/LICENSE" "$nm/swagger-ui-dist/NOTICE" "$out/swagger-ui/"
[ -f "$nm/swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt" ] && \
  cp "$nm/swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt" "$out/swagger-ui/"
echo "swagger-ui-dist@5.35.0" > "$out/swagger-ui/VERSION"
# The date picker beside every dd/mm/yyyy field (a calendar that works on phones; no
# native type=date, which shows the browser's locale), with its Vietnamese texts.
cp "$nm/vanillajs-datepicker/dist/js/datepicker.min.js" \
   "$nm/vanillajs-datepicker/dist/js/locales/vi.js" \
   "$nm/vanillajs-datepicker/dist/js/locales/en-GB.js" \
   "$nm/vanillajs-datepicker/dist/css/datepicker-bs5.min.css" \
   "$nm/vanillajs-datepicker/LICENSE" "$out/datepicker/"
# axe-core is loaded by the browser tests only (accessibility checks); no page links it.
cp "$nm/axe-core/axe.min.js" "$nm/axe-core/LICENSE" "$nm/axe-core/LICENSE-3RD-PARTY.txt" \
   "$out/axe-core/"
# The portal's rich-text editor (articles); its HTML is sanitised again on the server.
cp "$nm/trix/dist/trix.umd.min.js" "$nm/trix/dist/trix.css" "$nm/trix/LICENSE" "$out/trix/"
# Source maps are not shipped: drop the comments that point to them.
find "$out" -name "*.js" -o -name "*.css" | xargs sed -i -E '/sourceMappingURL=/d'
printf '%s\n' "${packages[@]}" > "$out/VERSIONS"
echo "vendored into $out:"; cat "$out/VERSIONS"
