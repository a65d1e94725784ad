# Sourced by pacing.sh and standalone.sh: static_nginx DIR PORT writes DIR/www/small ("Hello, world")
# and DIR/nginx.conf, an nginx in the foreground serving DIR/www on 127.0.0.1:PORT with keep-alive
# connections that never close and no access log. Start it with: nginx -p DIR -c DIR/nginx.conf
static_nginx() {
  local dir=$1 port=$2
  mkdir -p "$dir/www" "$dir/t"
  echo "Hello, world" >"$dir/www/small"
  cat >"$dir/nginx.conf" <<CONF
daemon off; pid $dir/nginx.pid; error_log $dir/nginx-error.log warn;
events {}
http {
  access_log off; keepalive_requests 100000000;
  client_body_temp_path $dir/t/1; proxy_temp_path $dir/t/2; fastcgi_temp_path $dir/t/3; uwsgi_temp_path $dir/t/4; scgi_temp_path $dir/t/5;
  server { listen 127.0.0.1:$port; root $dir/www; }
}
CONF
}
