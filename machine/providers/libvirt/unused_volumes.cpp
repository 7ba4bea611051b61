#include "providers/libvirt/unused_volumes.h"

#include "providers/libvirt/xml_text.h"

#include <algorithm>

namespace machine {

namespace {

// True when `path` is a whole element text or attribute value in `xml` (as <kernel>PATH</kernel>
// or <source file='PATH'/>), not the start of a longer one.
bool names_path(const std::string &xml, const std::string &path) {
    for (auto at = xml.find(path); at != std::string::npos; at = xml.find(path, at + 1)) {
        auto after = at + path.size();
        if (after < xml.size() && (xml[after] == '<' || xml[after] == '\'' || xml[after] == '"'))
            return true;
    }
    return false;
}

} // namespace

std::string backing_path(const std::string &volume_xml) {
    auto store = volume_xml.find("<backingStore>");
    if (store == std::string::npos)
        return {};
    auto start = volume_xml.find("<path>", store);
    auto end = volume_xml.find("</path>", start);
    if (start == std::string::npos || end == std::string::npos)
        return {};
    start += 6;
    return xml_unescape(volume_xml.substr(start, end - start));
}

std::vector<std::string> unused_base_volumes(const std::set<std::string> &candidates,
                                             const std::vector<PoolVolume> &volumes,
                                             const std::vector<std::string> &domain_xmls) {
    std::set<std::string> names, backings;
    for (const auto &volume : volumes) {
        names.insert(volume.name);
        backings.insert(backing_path(volume.xml));
    }
    std::vector<std::string> domains;
    for (const auto &xml : domain_xmls)
        domains.push_back(xml_unescape(xml));
    auto named_by_a_domain = [&](const std::string &path) {
        return std::any_of(domains.begin(), domains.end(),
                           [&](const std::string &xml) { return names_path(xml, path); });
    };
    std::vector<std::string> unused;
    // A marker keeps its base: an upload under way, or a killed one's half-written volume, which
    // the next upload of that image replaces. Markers themselves are never candidates.
    for (const auto &volume : volumes)
        if (candidates.count(volume.name) && !names.count(volume.name + ".uploading") &&
            !backings.count(volume.path) && !named_by_a_domain(volume.path))
            unused.push_back(volume.name);
    std::sort(unused.begin(), unused.end());
    return unused;
}

} // namespace machine
