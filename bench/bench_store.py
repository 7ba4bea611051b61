"""A private store for one benchmark run: XDG dirs, HOME, podman's containers.conf and docker's
config all in a temporary folder, so a run touches nothing of the user's."""
import os
import tempfile


def private_store(prefix):
    """Returns (work folder, environment for `machine` and the clients)."""
    work = tempfile.mkdtemp(prefix=prefix)
    env = dict(os.environ, XDG_CONFIG_HOME=f"{work}/config", XDG_DATA_HOME=f"{work}/data",
               XDG_RUNTIME_DIR=f"{work}/run", HOME=f"{work}/home",
               CONTAINERS_CONF=f"{work}/containers.conf", DOCKER_CONFIG=f"{work}/docker")
    os.makedirs(f"{work}/docker")
    os.makedirs(f"{work}/home")
    with open(f"{work}/docker/config.json", "w") as config:
        config.write("{}")
    open(f"{work}/containers.conf", "w").close()
    return work, env


def rss_kib(pid):
    """A process's resident set size, KiB."""
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
