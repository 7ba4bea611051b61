#include "providers/libvirt/storage_xml.h"

#include "providers/libvirt/domain_xml.h"

#include <fmt/format.h>

namespace machine {

std::string pool_xml(const std::string &name, const std::string &path) {
    return fmt::format("<pool type='dir'>\n"
                       "  <name>{}</name>\n"
                       "  <target>\n"
                       "    <path>{}</path>\n"
                       "    <permissions>\n"
                       "      <mode>0711</mode>\n"
                       "    </permissions>\n"
                       "  </target>\n"
                       "</pool>\n",
                       xml_escape(name), xml_escape(path));
}

std::string volume_xml(const VolumeSpec &v) {
    auto xml =
        fmt::format("<volume>\n"
                    "  <name>{}</name>\n"
                    "  <capacity unit='bytes'>{}</capacity>\n"
                    "  <target>\n"
                    "    <format type='{}'/>\n"
                    "    <permissions>\n"
                    "      <mode>{}</mode>\n"
                    "    </permissions>\n"
                    "  </target>\n",
                    xml_escape(v.name), v.capacity_bytes, xml_escape(v.format), xml_escape(v.mode));
    if (!v.backing_path.empty())
        xml += fmt::format("  <backingStore>\n"
                           "    <path>{}</path>\n"
                           "    <format type='{}'/>\n"
                           "  </backingStore>\n",
                           xml_escape(v.backing_path), xml_escape(v.backing_format));
    return xml + "</volume>\n";
}

} // namespace machine
