#!/usr/bin/env bash
# Refresh and compile the translation catalogues (msgids in English, Vietnamese translations).
#
#   scripts/i18n.sh            # project level (templates/, portal/core/) and every app
#   scripts/i18n.sh project    # only the project-level catalogue in locale/
#   scripts/i18n.sh apps       # only the apps' own catalogues (<app>/locale/)
#   scripts/i18n.sh dossiers   # only one app's catalogue (any entry of APPS below)
#
# After running it, fill every new empty msgstr in the vi catalogues (no fuzzy entries), run it
# again to compile, and commit the .po AND .mo files: the portal never compiles at start-up.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PY="$ROOT/.venv/bin/python"
[ -x "$PY" ] || PY=python3
command -v msgfmt >/dev/null || { echo "GNU gettext is missing: apt-get install -y gettext" >&2; exit 1; }

# Apps with their own catalogue; the project level ignores them.
APPS=(procedures dossiers documents signatures dashboards portal/accounts portal/agencies portal/workcalendar portal/notifications
      national/payment_platform national/document_axis national/dvcqg national/vneid_simulator)
IGNORE=(--ignore='.venv/*' --ignore='var/*' --ignore='staticfiles/*' --ignore='static/*' --ignore='tests/*'
        --ignore='bench/*' --ignore='docs/*' --ignore='node_modules/*' --ignore='*/migrations/*')
for app in "${APPS[@]}"; do IGNORE+=(--ignore="$app/*"); done

# -P: run from inside an app, its selectors.py / token.py must not hide the standard modules.
admin() { PORTAL_DEMO=1 DJANGO_SETTINGS_MODULE=portal.settings PYTHONPATH="$ROOT" "$PY" -P -m django "$@"; }

what="${1:-all}"
if [ "$what" = all ] || [ "$what" = project ]; then
  echo "==> project level: locale/"
  mkdir -p locale
  admin makemessages -l vi -l en --no-obsolete --extension html,txt,py "${IGNORE[@]}"
  admin compilemessages --locale vi --locale en --ignore='.venv/*' --ignore='var/*' \
    $(for app in "${APPS[@]}"; do printf -- "--ignore=%s/* " "$app"; done)
fi
if [ "$what" != all ] && [ "$what" != project ] && [ "$what" != apps ]; then
  APPS=("$what")
  [ -d "$what" ] || { echo "No such app: $what" >&2; exit 1; }
  what=apps
fi
if [ "$what" = all ] || [ "$what" = apps ]; then
  for app in "${APPS[@]}"; do
    [ -d "$app" ] || continue
    echo "==> $app/locale"
    mkdir -p "$app/locale"
    (cd "$app" && admin makemessages -l vi --no-obsolete --extension html,txt,py --ignore='migrations/*' \
       && admin compilemessages --locale vi)
  done
fi
