"""docker-py (Debian's python3-docker) follows a container's logs through DOCKER_HOST, the two ways
its users do: containers.run() without detach (create, start, follow the logs to the end), and
logs(stream=True, follow=True) on a running container, read live while it writes. Prints what it
read; the test compares."""
import docker

client = docker.from_env(timeout=300)

out = client.containers.run("localhost/busybox", ["sh", "-c", "echo one; sleep 1; echo two"],
                            remove=True)
print("run:", out.decode().split())

# The container writes its second line only once the first has been read through the follow.
container = client.containers.run(
    "localhost/busybox",
    ["sh", "-c", "echo first; while [ ! -e /tmp/go ]; do sleep 0.2; done; echo second"],
    detach=True)
try:
    lines = []
    for chunk in container.logs(stream=True, follow=True):
        lines += chunk.decode().split()
        if lines == ["first"]:
            container.exec_run(["touch", "/tmp/go"])
    print("follow:", lines)
finally:
    container.remove(force=True)
