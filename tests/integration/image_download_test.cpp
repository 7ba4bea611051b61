// Images from http(s) URLs, against a small HTTP server on 127.0.0.1 that this test starts: a
// download lands in the cache under its digest, and a 404, a truncated transfer, a wrong
// checksum, a redirect loop or an untrusted certificate give one clear line and leave nothing.
#include "../helpers/temp_dir.h"
#include "machine/errors.h"
#include "machine/image_store.h"
#include "platform/host.h"
#include "platform/process_runner.h"
#include "platform/sha256.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace machine;
namespace fs = std::filesystem;
using machine::test::TempDir;

namespace {

// Serves `root`, logging each request path to requests.log, plus:
//   /truncated/NAME   NAME's true Content-Length but only half its bytes, then the connection
//                     closes
//   /redirect/N/NAME  N redirects (302), then NAME
//   /status/CODE      that HTTP error
constexpr const char *server_script = R"PY(
import http.server, os, ssl, sys

root, port_file, log = sys.argv[1], sys.argv[2], sys.argv[3]
cert, key = (sys.argv[4], sys.argv[5]) if len(sys.argv) > 5 else (None, None)

class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=root, **kwargs)

    def log_message(self, *args):
        pass

    def do_GET(self):
        with open(log, 'a') as out:
            out.write(self.path + '\n')
        parts = self.path.split('/')
        if parts[1] == 'truncated':
            with open(os.path.join(root, parts[2]), 'rb') as f:
                data = f.read()
            self.send_response(200)
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if parts[1] == 'redirect':
            left = int(parts[2])
            target = '/' + parts[3] if left <= 1 else '/redirect/%d/%s' % (left - 1, parts[3])
            self.send_response(302)
            self.send_header('Location', target)
            self.send_header('Content-Length', '0')
            self.end_headers()
            return
        if parts[1] == 'status':
            self.send_error(int(parts[2]))
            return
        super().do_GET()

server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
if cert:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
with open(port_file + '.tmp', 'w') as out:
    out.write(str(server.server_address[1]))
os.rename(port_file + '.tmp', port_file)
server.serve_forever()
)PY";

std::string read(const fs::path &file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class HttpServer {
public:
    // Serves `dir`/www; with `tls`, https with a self-signed certificate for 127.0.0.1.
    HttpServer(const TempDir &dir, bool tls = false) : dir_(dir.path / "server") {
        fs::create_directories(dir_);
        auto script = dir_ / "server.py";
        std::ofstream(script) << server_script;
        std::vector<std::string> args{script.string(), (dir.path / "www").string(),
                                      (dir_ / "port").string(), (dir_ / "requests.log").string()};
        if (tls) {
            platform::SpawnProcessRunner runner;
            runner.check({"openssl",
                          {"req", "-x509", "-newkey", "ec", "-pkeyopt",
                           "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                           "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
                           (dir_ / "key.pem").string(), "-out", (dir_ / "cert.pem").string()},
                          {}});
            args.push_back((dir_ / "cert.pem").string());
            args.push_back((dir_ / "key.pem").string());
        }
        std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        pid_ = platform::spawn_detached({python, args, {}}, dir_ / "server.log");
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!fs::exists(dir_ / "port")) {
            if (std::chrono::steady_clock::now() > deadline || !platform::child_running(pid_))
                throw std::runtime_error("the test HTTP server did not start: " +
                                         read(dir_ / "server.log"));
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        port_ = std::stoi(read(dir_ / "port"));
        scheme_ = tls ? "https" : "http";
    }
    ~HttpServer() {
        platform::kill_process(pid_);
        while (platform::child_running(pid_))
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    HttpServer(const HttpServer &) = delete;
    HttpServer &operator=(const HttpServer &) = delete;

    std::string url(const std::string &path) const {
        return scheme_ + "://127.0.0.1:" + std::to_string(port_) + "/" + path;
    }
    std::vector<std::string> requests() const {
        std::vector<std::string> lines;
        std::istringstream in(read(dir_ / "requests.log"));
        for (std::string line; std::getline(in, line);)
            lines.push_back(line);
        return lines;
    }

private:
    fs::path dir_;
    int pid_ = 0;
    int port_ = 0;
    std::string scheme_;
};

std::string qcow2_image(std::uint64_t virtual_size, std::size_t length = 512 << 10) {
    std::string bytes(length, '\0');
    for (std::size_t i = 104; i < length; ++i)
        bytes[i] = char((i * 31 + i / 509) & 0xff);
    bytes.replace(0, 4, "QFI\xfb");
    bytes[7] = 3;
    for (int i = 0; i < 8; ++i)
        bytes[24 + i] = char((virtual_size >> (56 - 8 * i)) & 0xff);
    return bytes;
}

std::string sha256_of(const std::string &bytes) {
    platform::Sha256 sha;
    sha.update(bytes.data(), bytes.size());
    return sha.hex_digest();
}

std::set<std::string> listing(const fs::path &dir) {
    std::set<std::string> names;
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(dir, ec))
        names.insert(entry.path().filename().string());
    return names;
}

bool one_line(const std::string &message) {
    return !message.empty() && message.find('\n') == std::string::npos;
}

const auto no_progress = [](std::uint64_t, std::uint64_t) {};

// A test's world: a folder served over HTTP holding a qcow2 image, and an empty cache.
struct Fixture {
    TempDir dir;
    std::string image = qcow2_image(6ull << 30);
    fs::path cache = dir.path / "cache";
    ImageStore store{cache};
    Fixture() { dir.write("www/disk.qcow2", image); }

    // Resolving `url` throws E; the cache holds afterwards exactly what it held before.
    template <typename E> E fails(const std::string &url, const std::string &expected_sha256 = "") {
        auto before = listing(cache);
        try {
            store.resolve(url, expected_sha256, no_progress);
        } catch (const E &error) {
            CHECK(one_line(error.what()));
            CHECK(listing(cache) == before);
            return error;
        }
        FAIL("resolving " << url << " did not fail as expected");
        throw std::logic_error("unreachable");
    }
};

} // namespace

TEST_CASE("an image downloads into the cache under its digest", "[download]") {
    Fixture f;
    HttpServer server(f.dir);
    std::vector<std::pair<std::uint64_t, std::uint64_t>> progress;

    auto image =
        f.store.resolve(server.url("disk.qcow2"), "", [&](std::uint64_t done, std::uint64_t total) {
            progress.emplace_back(done, total);
        });

    CHECK(image.sha256 == sha256_of(f.image));
    CHECK(image.format == "qcow2");
    CHECK(image.virtual_size == 6ull << 30);
    CHECK(image.disk == (f.cache / ("sha256-" + image.sha256 + ".qcow2")).string());
    CHECK(image.kernel.empty());
    CHECK(read(image.disk) == f.image);
    CHECK(listing(f.cache) ==
          std::set<std::string>{"index.json", "sha256-" + image.sha256 + ".qcow2"});
    REQUIRE_FALSE(progress.empty());
    CHECK(progress.back() ==
          std::pair<std::uint64_t, std::uint64_t>(f.image.size(), f.image.size()));
}

TEST_CASE("a compressed download with the right sha256 is verified, decompressed and reused",
          "[download]") {
    Fixture f;
    platform::SpawnProcessRunner runner;
    runner.check({"zstd", {"-q", "-k", (f.dir.path / "www" / "disk.qcow2").string()}, {}});
    auto compressed = read(f.dir.path / "www" / "disk.qcow2.zst");
    HttpServer server(f.dir);

    auto image = f.store.resolve(server.url("disk.qcow2.zst"), sha256_of(compressed), no_progress);

    CHECK(image.sha256 == sha256_of(f.image)); // the disk's digest, not the download's
    CHECK(read(image.disk) == f.image);
    CHECK(listing(f.cache).size() == 2);
    CHECK(server.requests() == std::vector<std::string>{"/disk.qcow2.zst"});

    SECTION("asked for by the same digest again, nothing is downloaded") {
        auto again = f.store.resolve(server.url("disk.qcow2.zst"),
                                     "sha256:" + sha256_of(compressed), no_progress);
        CHECK(again.disk == image.disk);
        CHECK(server.requests().size() == 1);
    }
    SECTION("without a digest it is fetched again, and lands on the same entry") {
        CHECK(f.store.resolve(server.url("disk.qcow2.zst"), "", no_progress).disk == image.disk);
        CHECK(server.requests().size() == 2);
        CHECK(listing(f.cache).size() == 2);
    }
}

TEST_CASE("redirects are followed, at most five", "[download]") {
    Fixture f;
    HttpServer server(f.dir);
    CHECK(f.store.resolve(server.url("redirect/5/disk.qcow2"), "", no_progress).sha256 ==
          sha256_of(f.image));
    auto error = f.fails<Error>(server.url("redirect/6/disk.qcow2"));
    CHECK_THAT(error.what(), Catch::Contains("redirect"));
}

TEST_CASE("a failed download leaves nothing in the cache", "[download]") {
    Fixture f;
    HttpServer server(f.dir);
    // Something cached already must survive every failure untouched.
    f.store.resolve(server.url("disk.qcow2"), "", no_progress);
    REQUIRE(listing(f.cache).size() == 2);

    SECTION("404 names the URL and the status") {
        auto url = server.url("missing.qcow2");
        auto error = f.fails<NotFound>(url);
        CHECK_THAT(error.what(), Catch::Contains(url) && Catch::Contains("HTTP 404"));
    }
    SECTION("another HTTP error") {
        auto error = f.fails<Error>(server.url("status/500"));
        CHECK_THAT(error.what(), Catch::Contains("HTTP 500"));
    }
    SECTION("a wrong checksum") {
        auto url = server.url("disk.qcow2");
        auto wanted = std::string(64, 'c');
        auto error = f.fails<InvalidInput>(url, wanted);
        CHECK(error.field() == "--image-sha256");
        CHECK_THAT(error.what(), Catch::Contains(url) && Catch::Contains(sha256_of(f.image)) &&
                                     Catch::Contains(wanted));
    }
    SECTION("a transfer cut short of its Content-Length") {
        auto error = f.fails<Error>(server.url("truncated/disk.qcow2"));
        CHECK_THAT(error.what(), Catch::Contains("cut short") &&
                                     Catch::Contains(std::to_string(f.image.size() / 2) + " of " +
                                                     std::to_string(f.image.size()) + " bytes"));
    }
    SECTION("a download that is no disk image names the URL, not a temporary file") {
        f.dir.write("www/index.html", "<html>a login page</html>");
        auto url = server.url("index.html");
        auto error = f.fails<InvalidInput>(url);
        CHECK(error.field() == "--image");
        CHECK_THAT(error.what(), Catch::Contains(url) && Catch::Contains("not a disk image") &&
                                     !Catch::Contains("partial-"));
    }
    SECTION("a corrupt compressed download") {
        f.dir.write("www/broken.zst", std::string("\x28\xb5\x2f\xfd", 4) + std::string(999, 'z'));
        auto error = f.fails<InvalidInput>(server.url("broken.zst"));
        CHECK_THAT(error.what(), Catch::Contains("not a valid zstd stream"));
    }
    SECTION("nobody listening") {
        auto url = "http://127.0.0.1:" + std::to_string(platform::free_loopback_port()) + "/x";
        auto error = f.fails<Error>(url);
        CHECK_THAT(error.what(), Catch::Contains("cannot download " + url));
    }
    SECTION("a password in the URL is not repeated in the message") {
        auto url = server.url("missing.qcow2");
        url.insert(url.find("//") + 2, "user:secret@");
        auto error = f.fails<NotFound>(url);
        CHECK_THAT(error.what(), !Catch::Contains("secret") && Catch::Contains("missing.qcow2"));
    }
    SECTION("the progress callback stops the transfer by throwing") {
        auto before = listing(f.cache);
        CHECK_THROWS_WITH(f.store.resolve(server.url("disk.qcow2"), "",
                                          [](std::uint64_t done, std::uint64_t) {
                                              if (done > 0)
                                                  throw std::runtime_error("cancelled");
                                          }),
                          "cancelled");
        CHECK(listing(f.cache) == before);
    }
}

TEST_CASE("https checks the server's certificate, and a self-signed one is refused", "[download]") {
    Fixture f;
    HttpServer server(f.dir, true);
    auto error = f.fails<Error>(server.url("disk.qcow2"));
    CHECK_THAT(error.what(), Catch::Contains(server.url("disk.qcow2")) &&
                                 Catch::Contains("certificate", Catch::CaseSensitive::No));
    CHECK_THAT(error.hint(), Catch::Contains("not trusted"));
    CHECK(server.requests().empty()); // refused during the handshake, before any request
}
