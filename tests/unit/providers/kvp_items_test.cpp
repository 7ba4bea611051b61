// The Ignition config cut into KVP items of at most 990 bytes, as the guest joins them back.
#include "providers/hyperv/kvp_items.h"

#include <catch2/catch.hpp>
#include <string>

using namespace machine;

namespace {

std::string joined(const std::vector<KvpItem> &items) {
    std::string text;
    for (std::size_t i = 0; i < items.size(); ++i) {
        CHECK(items[i].name == "ignition.config." + std::to_string(i));
        CHECK(items[i].data.size() <= kvp_value_max);
        CHECK_FALSE(items[i].data.empty());
        text += items[i].data;
    }
    return text;
}

} // namespace

TEST_CASE("kvp items: nothing for an empty config", "[hyperv]") {
    CHECK(ignition_kvp_items("").empty());
}

TEST_CASE("kvp items: a short config is one item", "[hyperv]") {
    auto items = ignition_kvp_items("{\"ignition\": {\"version\": \"3.4.0\"}}\n");
    REQUIRE(items.size() == 1);
    CHECK(items[0] == KvpItem{"ignition.config.0", "{\"ignition\": {\"version\": \"3.4.0\"}}\n"});
}

TEST_CASE("kvp items: exactly 990 bytes is one item, 991 is two", "[hyperv]") {
    auto exact = ignition_kvp_items(std::string(990, 'a'));
    REQUIRE(exact.size() == 1);
    CHECK(exact[0].data.size() == 990);

    auto over = ignition_kvp_items(std::string(990, 'a') + "b");
    REQUIRE(over.size() == 2);
    CHECK(over[0] == KvpItem{"ignition.config.0", std::string(990, 'a')});
    CHECK(over[1] == KvpItem{"ignition.config.1", "b"});
}

TEST_CASE("kvp items: a long config joins back byte for byte", "[hyperv]") {
    std::string config;
    for (int i = 0; config.size() < 10'000; ++i)
        config += "{\"path\": \"/etc/file" + std::to_string(i) + "\", \"mode\": 420},\n";
    auto items = ignition_kvp_items(config);
    CHECK(items.size() == (config.size() + 989) / 990);
    CHECK(joined(items) == config);
}

TEST_CASE("kvp items: a UTF-8 character is never cut in two", "[hyperv]") {
    const std::string e_acute = "\xc3\xa9";       // 2 bytes
    const std::string euro = "\xe2\x82\xac";      // 3 bytes
    const std::string emoji = "\xf0\x9f\x90\xb3"; // 4 bytes
    SECTION("a 2-byte character across the boundary moves to the next item") {
        auto items = ignition_kvp_items(std::string(989, 'a') + e_acute + "z");
        REQUIRE(items.size() == 2);
        CHECK(items[0].data == std::string(989, 'a'));
        CHECK(items[1].data == e_acute + "z");
    }
    SECTION("a 2-byte character that ends at 990 stays") {
        auto items = ignition_kvp_items(std::string(988, 'a') + e_acute + "z");
        REQUIRE(items.size() == 2);
        CHECK(items[0].data == std::string(988, 'a') + e_acute);
        CHECK(items[1].data == "z");
    }
    SECTION("3 and 4 byte characters at every offset") {
        for (const auto &character : {euro, emoji})
            for (std::size_t pad = 985; pad <= 990; ++pad) {
                INFO("pad " << pad << ", a character of " << character.size() << " bytes");
                auto text = std::string(pad, 'a') + character + character + "z";
                auto items = ignition_kvp_items(text);
                CHECK(joined(items) == text);
                for (const auto &item : items) // no item starts inside a character
                    CHECK((static_cast<unsigned char>(item.data.front()) & 0xC0) != 0x80);
            }
    }
    SECTION("bytes that are not UTF-8 are cut at 990") {
        auto text = std::string(985, 'a') + std::string(10, '\x80');
        auto items = ignition_kvp_items(text);
        REQUIRE(items.size() == 2);
        CHECK(items[0].data.size() == 990);
        CHECK(joined(items) == text);
    }
}
