// The host's proxy and CA certificates as init takes them: the environment's variables in Go's
// order, --proxy's URL made whole, one-line refusals naming the variable or flag, the loopback
// rewrite for the guest, and the PEM bundle read from a file or a folder.
#include "../helpers/temp_dir.h"
#include "machine/ca_certs.h"
#include "machine/errors.h"
#include "machine/proxy_settings.h"
#include "thrown.h"

#include <catch2/catch.hpp>
#include <map>

using namespace machine;
using machine::test::one_line;
using machine::test::TempDir;
using machine::test::thrown;

namespace {

EnvironmentLookup environment(std::map<std::string, std::string> vars) {
    return [vars](const std::string &name) -> std::optional<std::string> {
        auto it = vars.find(name);
        return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
}

std::string certificate(const std::string &body) {
    return "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n";
}

} // namespace

TEST_CASE("proxy: the environment's variables, upper case first, made whole", "[proxy]") {
    auto p = proxy_from_environment(environment({{"HTTP_PROXY", "proxy.corp:3128"},
                                                 {"http_proxy", "http://ignored:1"},
                                                 {"https_proxy", "http://user:pw@proxy.corp:3129"},
                                                 {"no_proxy", " localhost, .corp ,10.0.0.0/8,"}}));
    CHECK(p.http == "http://proxy.corp:3128");
    CHECK(p.https == "http://user:pw@proxy.corp:3129");
    CHECK(p.no_proxy == "localhost,.corp,10.0.0.0/8");
    CHECK(proxy_from_environment(environment({})).empty());
    CHECK(checked_proxy_url("socks5h://[::1]:1080", "--proxy") == "socks5h://[::1]:1080");
}

TEST_CASE("proxy: what is no proxy URL or host list is refused naming where it came from",
          "[proxy]") {
    for (const char *url : {"ftp://proxy:21", "http://", "http://proxy:0", "http://proxy:99999",
                            "http://proxy:3128/'$(reboot)'", "http://proxy:31 28",
                            "http://proxy:3128\n", "http://pro\"xy:3128", "http://proxy:x"}) {
        INFO(url);
        auto e = thrown<InvalidInput>([&] {
            proxy_from_environment(environment({{"HTTPS_PROXY", url}}));
        });
        CHECK(e.field() == "HTTPS_PROXY");
        CHECK(one_line(e.what()));
        CHECK(std::string(e.what()).rfind("HTTPS_PROXY: ", 0) == 0);
    }
    auto e = thrown<InvalidInput>([] { checked_no_proxy("a.corp,b corp", "NO_PROXY"); });
    CHECK(e.field() == "NO_PROXY");
    CHECK(std::string(e.what()).find("\"b corp\"") != std::string::npos);
    CHECK(thrown<InvalidInput>([] { checked_proxy_url("file:///etc", "--proxy"); }).field() ==
          "--proxy");
}

TEST_CASE("proxy: the host's loopback is the host's address in the guest", "[proxy]") {
    ProxySettings p{"http://127.0.0.1:3128", "http://u:p@localhost:3129/x", "localhost,127.0.0.1"};
    auto guest = proxy_for_guest(p, "10.0.2.2");
    CHECK(guest.http == "http://10.0.2.2:3128");
    CHECK(guest.https == "http://u:p@10.0.2.2:3129/x");
    CHECK(guest.no_proxy == p.no_proxy);
    CHECK(proxy_for_guest({"http://[::1]:8080", "", ""}, "10.0.2.2").http ==
          "http://10.0.2.2:8080");
    CHECK(proxy_for_guest({"http://proxy.corp:3128", "http://127.1.2.3", ""}, "10.0.2.2") ==
          ProxySettings{"http://proxy.corp:3128", "http://10.0.2.2", ""});
    CHECK(proxy_for_guest(p, "") == p); // a provider that does not know the host's address
}

TEST_CASE("CA certificates: from a file or a folder's PEM files in name order", "[proxy]") {
    TempDir dir;
    dir.write("certs/b.crt", "junk before\n" + certificate("QkJC") + "junk after\n");
    dir.write("certs/a.pem", certificate("QUFB") + certificate("QUFBMg=="));
    dir.write("certs/readme.txt", "not a certificate");
    auto bundle = read_ca_certs(dir.path / "certs", "--ca-certs");
    CHECK(bundle == certificate("QUFB") + certificate("QUFBMg==") + certificate("QkJC"));
    CHECK(count_ca_certs(bundle) == 3);
    CHECK(read_ca_certs(dir.path / "certs/b.crt", "SSL_CERT_FILE") == certificate("QkJC"));
}

TEST_CASE("CA certificates: a key, no certificate, a missing path or a truncated one is refused",
          "[proxy]") {
    TempDir dir;
    dir.write("key.pem", certificate("QUFB") +
                             "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n");
    dir.write("empty.pem", "");
    dir.write("cut.pem", "-----BEGIN CERTIFICATE-----\nQUFB\n");
    dir.write("bad.pem", certificate("not base64 $(x)"));
    dir.write("none/readme.txt", "");
    for (const char *name : {"key.pem", "empty.pem", "cut.pem", "bad.pem", "none", "missing"}) {
        INFO(name);
        auto e = thrown<InvalidInput>([&] { read_ca_certs(dir.path / name, "--ca-certs"); });
        CHECK(e.field() == "--ca-certs");
        CHECK(one_line(e.what()));
        CHECK(std::string(e.what()).find(name) != std::string::npos);
    }
    CHECK(std::string(thrown<InvalidInput>([&] {
                          read_ca_certs(dir.path / "key.pem", "--ca-certs");
                      }).what())
              .find("private key") != std::string::npos);
}
