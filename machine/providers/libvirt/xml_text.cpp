#include "providers/libvirt/xml_text.h"

#include <utility>

namespace machine {

std::string xml_unescape(const std::string &text) {
    static const std::pair<const char *, char> entities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&apos;", '\''}, {"&quot;", '"'}};
    std::string plain;
    for (std::size_t i = 0; i < text.size();) {
        bool replaced = false;
        for (const auto &[entity, c] : entities)
            if (text.compare(i, std::char_traits<char>::length(entity), entity) == 0) {
                plain += c;
                i += std::char_traits<char>::length(entity);
                replaced = true;
                break;
            }
        if (!replaced)
            plain += text[i++];
    }
    return plain;
}

} // namespace machine
