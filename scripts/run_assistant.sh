#!/usr/bin/env bash
# Starts the action server in the background, then either an interactive terminal chat
# (`chat`) or the HTTP server with the REST channel and the web page (`serve`).
# Whatever it started is stopped when it ends (Ctrl-D or /stop in chat, Ctrl-C in serve).
# RASA_PORT / ACTION_PORT move the servers off 5005 / 5055 and LOG_DIR the action server log off
# logs/ (tests/test_attacks.py runs this script).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-chat}
rasa_port=${RASA_PORT:-5005}
action_port=${ACTION_PORT:-5055}
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 PYTHONWARNINGS=ignore
model=$(.venv/bin/python scripts/train_model.py | tail -n 1)
log_dir=${LOG_DIR:-logs}
mkdir -p var "$log_dir"

# Secrets: the environment's, else generated once into var/ (mode 0600, bot/secrets.py). Only Rasa
# may call the action server (ACTION_SERVER_TOKEN); Rasa's HTTP API needs a JWT signed with
# RASA_JWT_SECRET (the agent console makes one); YIBAO_IDENTITY_SECRET signs verifications and cookies.
eval "$(.venv/bin/python -m bot.secrets --export)"
# Rasa reads the JWT secret from this 0600 file: a value on its command line would be readable by
# every local user (/proc/<pid>/cmdline).
jwt_secret_file=$(.venv/bin/python -m bot.secrets --jwt-secret-file)
export ACTION_SERVER_URL=${ACTION_SERVER_URL:-http://127.0.0.1:${action_port}/webhook}

# rasa-sdk 3.6 has no --interface flag; SANIC_HOST keeps the action server on loopback.
SANIC_HOST=127.0.0.1 .venv/bin/rasa run actions --actions actions -p "$action_port" > "$log_dir/actions.log" 2>&1 &
actions_pid=$!
trap 'kill $actions_pid 2>/dev/null; wait $actions_pid 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 120); do
  if .venv/bin/python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:${action_port}/health', timeout=1)" 2>/dev/null; then break; fi
  if ! kill -0 $actions_pid 2>/dev/null; then echo "动作服务器启动失败，见 $log_dir/actions.log" >&2; exit 1; fi
  sleep 0.5
done

if [ "$mode" = chat ]; then
  echo "== 医保助手已启动。直接输入问题，例如「我的医保断缴了怎么办」；输入 /stop 或按 Ctrl-D 退出。"
  .venv/bin/python -m bot.terminal_chat --model "$model"
else
  echo "== Rasa 服务: http://127.0.0.1:${rasa_port} （REST: /webhooks/rest/webhook，网页聊天: http://127.0.0.1:${rasa_port}/chat），Ctrl-C 停止"
  echo "   人工坐席控制台: .venv/bin/python -m bot.handoff.console"
  # Rasa's own API routes would accept 100 MB bodies (Sanic's default); the channels cap theirs lower.
  # No --cors: the page is served from the same origin, so no other site may call the API.
  # --jwt-secret: the HTTP API (/conversations, /model ...) always needs a token, sent in the
  # Authorization header (Rasa's auth-token option would travel in the URL).
  SANIC_REQUEST_MAX_SIZE=${SANIC_REQUEST_MAX_SIZE:-1048576} .venv/bin/rasa run -m "$model" --enable-api \
    --jwt-secret "$jwt_secret_file" --jwt-method HS256 -i 127.0.0.1 -p "$rasa_port" \
    --credentials credentials.yml --endpoints endpoints.yml
fi
