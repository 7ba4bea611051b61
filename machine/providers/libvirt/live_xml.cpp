#include "providers/libvirt/live_xml.h"

#include "providers/libvirt/xml_text.h"

namespace machine {

namespace {

// The value of `attribute='...'` in `element`, or "".
std::string attribute(const std::string &element, const std::string &attribute) {
    auto key = " " + attribute + "='";
    auto start = element.find(key);
    if (start == std::string::npos)
        return {};
    start += key.size();
    auto end = element.find('\'', start);
    return end == std::string::npos ? std::string()
                                    : xml_unescape(element.substr(start, end - start));
}

// The first `<tag ...>` inside `block`, or "".
std::string element(const std::string &block, const std::string &tag) {
    auto start = block.find("<" + tag + " ");
    if (start == std::string::npos)
        return {};
    return block.substr(start, block.find('>', start) - start);
}

} // namespace

std::string channel_socket(const std::string &live_xml, const std::string &port) {
    for (auto start = live_xml.find("<channel type='unix'>"); start != std::string::npos;
         start = live_xml.find("<channel type='unix'>", start + 1)) {
        auto end = live_xml.find("</channel>", start);
        auto block = live_xml.substr(start, end == std::string::npos ? end : end - start);
        if (attribute(element(block, "target"), "name") == port)
            return attribute(element(block, "source"), "path");
    }
    return {};
}

} // namespace machine
