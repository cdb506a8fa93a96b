#!/usr/bin/env bash
# Stand-in for systemd in the rolling-apply test: ctl.sh start|reload|restart|log CONF PIDFILE LOG BINARY
set -u
action="$1" conf="$2" pidfile="$3" log="$4" bin="$5"
running() { [ -s "${pidfile}" ] && kill -0 "$(cat "${pidfile}")" 2>/dev/null; }
start() {
    rm -f "${pidfile}"
    nohup "${bin}" -c "${conf}" >> "${log}" 2>&1 < /dev/null &
    for _ in $(seq 1 50); do   # up to 5 s for the pid file, like a unit of Type=simple returns at once
        [ -s "${pidfile}" ] && return 0
        kill -0 $! 2>/dev/null || return 0   # it exited: the verify step reports it, the log says why
        sleep 0.1
    done
}
case "${action}" in
    start) running || start ;;
    reload) kill -HUP "$(cat "${pidfile}")" ;;
    restart)
        if running; then
            pid="$(cat "${pidfile}")"
            kill -TERM "${pid}"
            for _ in $(seq 1 200); do kill -0 "${pid}" 2>/dev/null || break; sleep 0.1; done
        fi
        start ;;
    log) tail -n 20 "${log}" ;;
    *) echo "usage: ctl.sh start|reload|restart|log CONF PIDFILE LOG BINARY" >&2; exit 2 ;;
esac
