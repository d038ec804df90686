# connect: one TCP connection over IPv4 loopback and one over IPv6, for
# tests of tracepoint:sock:inet_sock_set_state and ntop(). Prints nothing.
import socket

for fam, host in ((socket.AF_INET, '127.0.0.1'), (socket.AF_INET6, '::1')):
    s = socket.socket(fam)
    s.bind((host, 0))
    s.listen()
    c = socket.create_connection(s.getsockname()[:2])
    a, _ = s.accept()
    c.close()
    a.close()
    s.close()
