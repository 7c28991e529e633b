# `cpack -G DEB` in a build configured with -DCMAKE_INSTALL_PREFIX=/usr builds the package:
# binaries, the systemd unit, the example configuration (conffiles) and the man pages.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME feedwatch)
set(CPACK_PACKAGE_VENDOR "feedwatch")
set(CPACK_PACKAGE_CONTACT "feedwatch maintainers <feedwatch@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "News feed watcher that fires signed webhooks when watchlists match")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles
  ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
  ${PROJECT_SOURCE_DIR}/deploy/debian/prerm
  ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
