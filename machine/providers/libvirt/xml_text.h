#pragma once
// libvirt's XML as text: the few elements we read back are found by string search, and their
// text or attribute values unescaped here.
#include <string>

namespace machine {

// `text` with XML's five entities replaced by the characters they stand for.
std::string xml_unescape(const std::string &text);

} // namespace machine
