// Finding a seed disk by its ISO 9660 volume label, in a root whose /dev holds image files. (Its
// mount is real only in a guest: the VM test boots a machine whose config is on a seed disk.)
#include "agent_test_support.h"
#include "provisioning/agent/seed_disk.h"

using namespace machine::agent;
using namespace machine::agent::test;

namespace {

// The 16 sectors of system area, then a primary volume descriptor with `label`, space-padded.
std::string iso9660_with_label(const std::string &label) {
    std::string image(16 * 2048, '\0');
    std::string descriptor(2048, '\0');
    descriptor[0] = 1;
    descriptor.replace(1, 5, "CD001");
    descriptor[6] = 1;
    descriptor.replace(40, 32, std::string(32, ' '));
    descriptor.replace(40, label.size(), label);
    return image + descriptor;
}

void add_block_device(const TempDir &root, const std::string &name, const std::string &contents) {
    std::filesystem::create_directories(root / ("/sys/class/block/" + name));
    write_text(root / ("/dev/" + name), contents);
}

} // namespace

TEST_CASE("a seed disk is found by its ISO 9660 label, in either case", "[agent]") {
    TempDir root;
    add_block_device(root, "vda", std::string(64 * 1024, 'x')); // the root disk: no ISO
    add_block_device(root, "vdb", iso9660_with_label("DATA"));
    add_block_device(root, "vdc", iso9660_with_label("IGNITION"));
    add_block_device(root, "vdd", iso9660_with_label("cidata"));
    CHECK(iso9660_label(root / "/dev/vda") == std::nullopt);
    CHECK(iso9660_label(root / "/dev/vdb") == "data");
    auto seed = find_seed_disk(Root(root.path()));
    REQUIRE(seed);
    CHECK(seed->device == root / "/dev/vdc");
    CHECK(seed->label == "ignition");
}

TEST_CASE("a cidata disk counts as a seed, no labelled disk means none", "[agent]") {
    TempDir root;
    add_block_device(root, "sr0", iso9660_with_label("CIDATA"));
    auto seed = find_seed_disk(Root(root.path()));
    REQUIRE(seed);
    CHECK(seed->label == "cidata");

    TempDir bare;
    add_block_device(bare, "vda", "");
    CHECK_FALSE(find_seed_disk(Root(bare.path())));
    CHECK_FALSE(find_seed_disk(Root((bare / "/nothing").string())));
}
