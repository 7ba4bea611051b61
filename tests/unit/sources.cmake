# The unit tests' sources, for this host's build (tests/CMakeLists.txt) and the macOS one
# (tests/macos/CMakeLists.txt): pure builders, parsers and formatters; no VM, no child processes
# but the test's own.
set(MACHINE_UNIT_TEST_SOURCES
    unit/api_pipe_test.cpp
    unit/config_file_test.cpp
    unit/console_watch_test.cpp
    unit/mux_frame_test.cpp
    unit/mux_session_test.cpp
    unit/mux_ports_test.cpp
    unit/http_response_test.cpp
    unit/published_ports_test.cpp
    unit/disk_image_test.cpp
    unit/docker_socket_link_test.cpp
    unit/guest_pipe_test.cpp
    unit/humanize_test.cpp
    unit/file_lock_test.cpp
    unit/image_store_test.cpp
    unit/machine_manager_test.cpp
    unit/manager_start_test.cpp
    unit/connections_test.cpp
    unit/provisioning_test.cpp
    unit/names_test.cpp
    unit/printable_test.cpp
    unit/process_runner_test.cpp
    unit/qemu_command_test.cpp
    unit/qemu_img_command_test.cpp
    unit/disk_check_test.cpp
    unit/providers/hvsock_service_test.cpp
    unit/providers/hyperv_provider_test.cpp
    unit/providers/hyperv_scripts_test.cpp
    unit/providers/kvp_items_test.cpp
    unit/providers/powershell_script_test.cpp
    unit/providers/vm_state_test.cpp
    unit/providers/wsl_commands_test.cpp
    unit/providers/wsl_list_test.cpp
    unit/providers/apple_commands_test.cpp
    unit/providers/libvirt_xml_test.cpp
    unit/providers/libvirt_unused_volumes_test.cpp
    helpers/fake_vfkit/grammar.cpp # the golden argv must pass vfkit's and krunkit's grammar
    unit/registry_test.cpp
    unit/sizes_test.cpp
    unit/durations_test.cpp
    unit/proxy_settings_test.cpp
    unit/idle_pause_test.cpp
    unit/shared_folder_changes_test.cpp
    unit/table_test.cpp
    unit/template_test.cpp
    unit/time_zones_test.cpp
    unit/undo_stack_test.cpp
    unit/volume_test.cpp
)
if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    list(APPEND MACHINE_UNIT_TEST_SOURCES helpers/small_filesystem_linux.cpp)
else()
    list(APPEND MACHINE_UNIT_TEST_SOURCES helpers/small_filesystem_none.cpp)
endif()
cmake_path(GET CMAKE_CURRENT_LIST_DIR PARENT_PATH MACHINE_TESTS_DIR)
list(TRANSFORM MACHINE_UNIT_TEST_SOURCES PREPEND "${MACHINE_TESTS_DIR}/")
