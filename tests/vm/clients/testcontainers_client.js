// Clients nobody here wrote, through DOCKER_HOST (the machine's forwarded API socket), as a
// developer's test suite would use them: dockerode asks the engine, testcontainers-node starts a
// container, waits for its port, and the test talks to it over the published port. Prints what
// it saw, one line each, for tests/vm/clients_test.cpp to check. Ryuk, testcontainers' reaper,
// comes from Docker Hub, which the tests cannot reach: TESTCONTAINERS_RYUK_DISABLED is set by the
// caller, and the container is stopped here.
"use strict";
const Docker = require("dockerode");
const { GenericContainer, Wait } = require("testcontainers");
const http = require("http");

function get(host, port, path) {
    return new Promise((resolve, reject) => {
        http.get({ host, port, path }, (response) => {
            let body = "";
            response.on("data", (chunk) => (body += chunk));
            response.on("end", () => resolve(body));
        }).on("error", reject);
    });
}

async function main() {
    const docker = new Docker(); // DOCKER_HOST
    console.log(`dockerode: API ${(await docker.version()).ApiVersion}`);

    const container = await new GenericContainer("localhost/busybox")
        .withCommand(["httpd", "-f", "-p", "8080", "-h", "/etc"])
        .withExposedPorts(8080)
        .withWaitStrategy(Wait.forListeningPorts())
        .start();
    const passwd = await get(container.getHost(), container.getMappedPort(8080), "/passwd");
    console.log(`testcontainers: ${passwd.split("\n")[0].split(":")[0]} over the mapped port`);
    const listed = await docker.listContainers();
    const found = listed.some((c) => c.Id === container.getId());
    console.log(`dockerode: ${found ? "lists" : "does not list"} the container`);
    await container.stop();
    const after = await docker.listContainers({ all: true });
    console.log(`testcontainers: ${after.some((c) => c.Id === container.getId()) ? "left" : "removed"} it`);
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
