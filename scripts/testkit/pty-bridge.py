# A pseudo-terminal standing in for a USB serial scanner in tests: the agent opens the slave side by
# the path given (like the udev name of a real scanner); each line read on stdin is written to the
# master side, as the scanner would send it. This process keeps the slave open too, so the agent can
# be killed and reopen it without the master seeing a hang-up.
import os, pty, sys, tty

link = sys.argv[1]
master, slave = pty.openpty()
tty.setraw(slave)
if os.path.lexists(link):
    os.unlink(link)
os.symlink(os.ttyname(slave), link)
sys.stdout.write("ready\n")
sys.stdout.flush()
for line in sys.stdin.buffer:
    os.write(master, line.rstrip(b"\n") + b"\r")
