#!/bin/bash
# MegaTicket web tier (Next.js) on the Golden AMI: runtime settings only.
# The AMI holds the built app, Node (nvm) and PM2, so nothing is installed or built here
# (000 section 1). Rendered by userdata/render.py: every value is quoted by the renderer.
# Web -> App goes through the internal NLB in this region (INTERNAL_API_URL, 000 section 2).
set -euo pipefail
exec > >(tee -a @@LOG_FILE@@) 2>&1
set -x
echo "=== MegaTicket web user data started: $(date) ==="

APP_DIR=@@APP_DIR@@
if [ ! -d "$APP_DIR" ]; then
  echo "FATAL: $APP_DIR is missing: this is not the Golden AMI (it must hold the built app)" >&2
  exit 1
fi
umask 022

# 1. Shell environment for operators: `source` it before starting PM2 by hand (001 6.5).
cat > @@ENV_FILE@@ <<'@@SHELL_ENV_EOF@@'
@@SHELL_ENV@@
@@SHELL_ENV_EOF@@
chown @@RUN_AS@@:@@RUN_AS@@ @@ENV_FILE@@

# 2. Overwrite the .env.production baked into the AMI (it holds Seoul's values).
cat > "$APP_DIR/.env.production" <<'@@DOTENV_EOF@@'
@@DOTENV@@
@@DOTENV_EOF@@
chown @@RUN_AS@@:@@RUN_AS@@ "$APP_DIR/.env.production"

# 3. Replace the process PM2 resurrected from the AMI (Seoul settings) with one started with
#    every variable inline: process variables win over .env.production, and `pm2 save`
#    keeps them for reboots (001 1.2: use both). Values reach the inner shell as arguments,
#    never as code, so no value is ever expanded twice.
# shellcheck disable=SC2016 # $HOME and "$1" belong to the ec2-user shell
sudo -u @@RUN_AS@@ -H bash -c 'source "$HOME/.nvm/nvm.sh" && pm2 delete "$1"' _ @@PM2_NAME@@ || true
# shellcheck disable=SC2016
sudo -u @@RUN_AS@@ -H bash -c 'source "$HOME/.nvm/nvm.sh" && cd "$1" && name=$2 && shift 2 && exec env "$@" pm2 start npm --name "$name" -- start' _ "$APP_DIR" @@PM2_NAME@@ \
@@INLINE_ENV@@
# shellcheck disable=SC2016
sudo -u @@RUN_AS@@ -H bash -c 'source "$HOME/.nvm/nvm.sh" && pm2 save'

# 4. PM2 on reboot: `pm2 save` brings the processes back only if `pm2 startup` installed the
#    systemd unit that resurrects the saved list. Verify the Golden AMI did; if not, enable it
#    now (as root, with the user's nvm node on PATH, as `pm2 startup` itself instructs). A
#    failure here is logged, not fatal: the process is running, only a reboot would lose it.
pm2_unit=pm2-@@RUN_AS@@
if systemctl is-enabled --quiet "$pm2_unit" 2>/dev/null; then
  echo "PM2 startup: $pm2_unit is enabled; the saved processes come back after a reboot"
else
  # shellcheck disable=SC2016
  pm2_bin=$(sudo -u @@RUN_AS@@ -H bash -c 'source "$HOME/.nvm/nvm.sh" && command -v pm2') || pm2_bin=""
  # shellcheck disable=SC2016
  pm2_home=$(sudo -u @@RUN_AS@@ -H bash -c 'printf "%s" "$HOME"') || pm2_home=""
  if [ -n "$pm2_bin" ] && [ -n "$pm2_home" ] \
      && env PATH="$(dirname "$pm2_bin"):$PATH" "$pm2_bin" startup systemd -u @@RUN_AS@@ --hp "$pm2_home" \
      && systemctl is-enabled --quiet "$pm2_unit" 2>/dev/null; then
    echo "PM2 startup: $pm2_unit was not enabled in the AMI; enabled it now (pm2 startup systemd)"
  else
    echo "WARNING: PM2 startup: $pm2_unit is not enabled and could not be enabled, so a reboot" \
      "will NOT restart" @@PM2_NAME@@"; fix the Golden AMI: run 'pm2 startup' as @@RUN_AS@@, then" \
      "the command it prints, then 'pm2 save'"
  fi
fi

echo "=== MegaTicket web user data completed: $(date) ==="
