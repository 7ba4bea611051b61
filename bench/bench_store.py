"""A private store for one benchmark run: XDG dirs, HOME, podman's containers.conf and docker's
config all in a temporary folder, so a run touches nothing of the user's."""
import os
import subprocess
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


def openssh_argv(machine, env, work, name="bench"):
    """OpenSSH's `ssh` to a machine the way `machine ssh` reaches it: its key, its port and its
    pinned host key (a known_hosts file in `work`). The destination is the last element."""
    port, key, user = subprocess.run(
        [machine, "inspect", "--format", "{{.SSHConfig.Port}} {{.SSHConfig.IdentityPath}} "
         "{{.SSHConfig.RemoteUsername}}", name],
        env=env, check=True, capture_output=True, text=True).stdout.split()
    known = f"{work}/known_hosts"
    with open(f"{work}/data/machine/machines/{name}/ssh_host_ed25519_key.pub") as host_key:
        with open(known, "w") as out:
            out.write(f"[127.0.0.1]:{port} {host_key.read()}")
    return ["ssh", "-i", key, "-p", port, "-o", f"UserKnownHostsFile={known}",
            "-o", "StrictHostKeyChecking=yes", "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
            f"{user}@127.0.0.1"]
