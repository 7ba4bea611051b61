// The account files as text: passwd and group parsing, subordinate id ranges that never
// overlap, and authorized_keys that only ever gain keys.
#include "provisioning/agent/accounts.h"

#include <catch2/catch.hpp>

using namespace machine::agent;

TEST_CASE("passwd and group entries parse, damaged lines are skipped", "[agent]") {
    auto users = parse_passwd("root:x:0:0:root:/root:/bin/bash\n"
                              "# comment\n"
                              "+nis\n"
                              "broken:x:abc:0::/:/bin/sh\n"
                              "core:x:1000:1000:Core:/home/core:/bin/bash\n");
    REQUIRE(users.size() == 2);
    CHECK(users[1].name == "core");
    CHECK(users[1].uid == 1000);
    CHECK(users[1].gid == 1000);
    CHECK(users[1].home == "/home/core");
    CHECK(find_user(users, "root")->home == "/root");
    CHECK_FALSE(find_user(users, "nobody"));

    auto groups = parse_group("root:x:0:\nsudo:x:27:core, dev\nbad:x:\n");
    REQUIRE(groups.size() == 2);
    CHECK(groups[0].members.empty());
    CHECK(find_group(groups, "sudo")->members == std::vector<std::string>{"core", "dev"});
}

TEST_CASE("a free subordinate id range never overlaps an existing one", "[agent]") {
    CHECK(free_subid_start({}) == 100000);
    auto ranges = parse_subids("core:100000:65536\n");
    CHECK(free_subid_start(ranges) == 165536);
    ranges = parse_subids("a:165536:65536\nb:100000:65536\n"); // out of order
    CHECK(free_subid_start(ranges) == 231072);
    ranges = parse_subids("a:100000:1000\nb:200000:65536\n"); // room between them
    CHECK(free_subid_start(ranges) == 101000);
    ranges = parse_subids("a:100000:1000\nb:150000:65536\n"); // too little room between them
    CHECK(free_subid_start(ranges) == 215536);
    ranges = parse_subids("a:300000:65536\n"); // room below it
    CHECK(free_subid_start(ranges) == 100000);
}

TEST_CASE("subordinate ids are found by user name or uid", "[agent]") {
    auto ranges = parse_subids("core:100000:65536\n1001:165536:65536\n");
    CHECK(has_subids(ranges, "core", 1000));
    CHECK(has_subids(ranges, "dev", 1001));
    CHECK_FALSE(has_subids(ranges, "other", 1002));
}

TEST_CASE("authorized keys are added once and the user's own lines kept", "[agent]") {
    const std::string key = "ssh-ed25519 AAAA host@machine";
    CHECK(merge_authorized_keys("", {key}) == key + "\n");
    CHECK(merge_authorized_keys("ssh-rsa BBBB mine", {key}) == "ssh-rsa BBBB mine\n" + key + "\n");
    auto once = merge_authorized_keys("# mine\nssh-rsa BBBB mine\n", {key, key});
    CHECK(once == "# mine\nssh-rsa BBBB mine\n" + key + "\n");
    CHECK(merge_authorized_keys(once, {key}) == once);
    CHECK(merge_authorized_keys("  " + key + "  \n", {key}) == "  " + key + "  \n");
}

TEST_CASE("account names that could be flags or paths are refused", "[agent]") {
    for (auto name : {"core", "root", "_apt", "dev-1", "a.b", "machine$", "Core"})
        CHECK(valid_account_name(name));
    for (auto name :
         {"", "-o", "1abc", "a/b", "a:b", "a b", "$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
        CHECK_FALSE(valid_account_name(name));
}
