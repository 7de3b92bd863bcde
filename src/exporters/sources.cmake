# exporters stage
target_sources(vmtrace_obj PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/ctf_metadata.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf2_aliases.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf2_metadata.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_writer.c
  ${CMAKE_CURRENT_LIST_DIR}/tracecmd_events.c
  ${CMAKE_CURRENT_LIST_DIR}/tracecmd_file.c
  ${CMAKE_CURRENT_LIST_DIR}/tracecmd_formats.c
  ${CMAKE_CURRENT_LIST_DIR}/tracecmd_pages.c
  ${CMAKE_CURRENT_LIST_DIR}/tracecmd_writer.c
  ${CMAKE_CURRENT_LIST_DIR}/report_common.c
  ${CMAKE_CURRENT_LIST_DIR}/html_rows.c
  ${CMAKE_CURRENT_LIST_DIR}/html_report.c
  ${CMAKE_CURRENT_LIST_DIR}/perfetto.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_export.c
  ${CMAKE_CURRENT_LIST_DIR}/ctf_export_copy.c)

# The HTML report's CSS and JavaScript, embedded as C strings (the report must
# be one self-contained file); regenerated when they change.
set(VT_HTML_ASSETS_C ${CMAKE_BINARY_DIR}/generated/html_assets.c)
set(VT_HTML_ASSET_TEXT "/* Generated from src/exporters/html/ by sources.cmake: do not edit. */\n")
foreach(asset css js)
  set(asset_file ${CMAKE_CURRENT_LIST_DIR}/html/report.${asset})
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${asset_file})
  file(READ ${asset_file} hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
  string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" hex "${hex}")
  string(APPEND VT_HTML_ASSET_TEXT "const char vt_html_asset_${asset}[] = {\n${hex}0x00};\n")
endforeach()
file(CONFIGURE OUTPUT ${VT_HTML_ASSETS_C} CONTENT "${VT_HTML_ASSET_TEXT}" @ONLY)
target_sources(vmtrace_obj PRIVATE ${VT_HTML_ASSETS_C})
