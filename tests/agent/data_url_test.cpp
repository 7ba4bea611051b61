// data: URLs, the only file source the agent accepts: percent-encoded and base64 forms, and
// every malformed URL named by its field.
#include "agent_test_support.h"
#include "provisioning/agent/data_url.h"
#include "provisioning/agent/errors.h"

using machine::agent::ConfigError;
using machine::agent::decode_data_url;
using machine::agent::test::one_line;
using machine::agent::test::thrown;

namespace {
const std::string field = "storage.files[0].contents.source";
}

TEST_CASE("percent-encoded data: URLs decode every escape and keep other bytes", "[agent]") {
    CHECK(decode_data_url("data:,hello%20world%0A", field) == "hello world\n");
    CHECK(decode_data_url("data:,a+b%2Bc%25", field) == "a+b+c%");
    CHECK(decode_data_url("data:,%e2%82%AC", field) == "\xe2\x82\xac");
    CHECK(decode_data_url("data:,", field).empty());
    CHECK(decode_data_url("data:text/plain;charset=utf-8,line", field) == "line");
    CHECK(decode_data_url("DATA:,upper", field) == "upper");
    CHECK(decode_data_url("data:,%00", field) == std::string(1, '\0'));
}

TEST_CASE("base64 data: URLs decode with and without padding and a media type", "[agent]") {
    CHECK(decode_data_url("data:;base64,aGVsbG8=", field) == "hello");
    CHECK(decode_data_url("data:;base64,aGVsbG8", field) == "hello");
    CHECK(decode_data_url("data:;base64,aGk=", field) == "hi");
    CHECK(decode_data_url("data:;base64,", field).empty());
    CHECK(decode_data_url("data:text/plain;charset=utf-8;base64,4oKsCg==", field) ==
          "\xe2\x82\xac\n");
    CHECK(decode_data_url("data:;BASE64,aGk=", field) == "hi");
    // '=' percent-encoded, and a line-wrapped payload
    CHECK(decode_data_url("data:;base64,aGk%3D", field) == "hi");
    CHECK(decode_data_url("data:;base64,aGVs%0AbG8=", field) == "hello");
    // all 256 byte values survive
    std::string bytes;
    for (int i = 0; i < 256; ++i)
        bytes += static_cast<char>(i);
    auto encoded =
        "data:;base64,AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEy"
        "MzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1u"
        "b3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmq"
        "q6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm"
        "5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w==";
    CHECK(decode_data_url(encoded, field) == bytes);
}

TEST_CASE("a base64 token that is not the last parameter means no base64", "[agent]") {
    CHECK(decode_data_url("data:;base64;charset=x,aGk=", field) == "aGk=");
}

TEST_CASE("malformed data: URLs name the field and say what is wrong", "[agent]") {
    struct Case {
        std::string url;
        std::string problem;
    };
    for (const auto &c : {
             Case{"https://example.com/file", "is not a data: URL"},
             Case{"", "is not a data: URL"},
             Case{"data:text/plain", "without the ','"},
             Case{"data:,%zz", "bad percent-encoding \"%zz\""},
             Case{"data:,trailing%4", "bad percent-encoding"},
             Case{"data:;base64,aGk*", "invalid base64 character \"*\""},
             Case{"data:;base64,aGVsbG8=x", "goes on after its '=' padding"},
             Case{"data:;base64,aGVsb", "truncated base64"},
         }) {
        INFO(c.url);
        auto error = thrown<ConfigError>([&] { decode_data_url(c.url, field); });
        CHECK(error.field() == field);
        CHECK_THAT(error.what(), Catch::StartsWith(field + ": "));
        CHECK_THAT(error.what(), Catch::Contains(c.problem));
        CHECK(one_line(error.what()));
    }
}

TEST_CASE("an error quotes a long or hostile URL cut short and on one line", "[agent]") {
    auto error = thrown<ConfigError>(
        [&] { decode_data_url("ftp://" + std::string(500, 'x') + "\n\x1b[2J", field); });
    CHECK(one_line(error.what()));
    CHECK(std::string(error.what()).size() < 250);
}
