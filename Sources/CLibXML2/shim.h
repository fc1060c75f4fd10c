#ifndef CLAIMSBRIDGE_CLIBXML2_SHIM_H
#define CLAIMSBRIDGE_CLIBXML2_SHIM_H

/* Debian builds libxml2 with ICU; its ICU types clash with Foundation's, so the ICU part is left out. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlerror.h>

#endif
