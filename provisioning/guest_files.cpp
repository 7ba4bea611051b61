#include "provisioning/guest_files.h"

#include "provisioning/host_names.h"

#include <utility>

namespace machine::provisioning {

std::vector<GuestFile> guest_files(const GuestSettings &s) {
    auto files = proxy_files(s);
    for (auto &f : host_name_files(s))
        files.push_back(std::move(f));
    return files;
}

} // namespace machine::provisioning
