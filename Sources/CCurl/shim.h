#ifndef CLAIMSBRIDGE_CCURL_SHIM_H
#define CLAIMSBRIDGE_CCURL_SHIM_H

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic; Swift calls these typed wrappers instead. */
static inline CURLcode cb_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode cb_curl_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode cb_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode cb_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode cb_curl_setopt_list(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode cb_curl_setopt_write_callback(CURL *handle, CURLoption option,
                                                     size_t (*callback)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(handle, option, callback);
}
static inline CURLcode cb_curl_setopt_read_callback(CURL *handle, CURLoption option,
                                                    size_t (*callback)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(handle, option, callback);
}
static inline CURLcode cb_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode cb_curl_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode cb_curl_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}
static inline CURLcode cb_curl_getinfo_offset(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

/* A connection cache (with TLS sessions and DNS) shared by the easy handles of one destination, so that requests
   reuse open connections; libcurl calls the lock functions, as handles on several threads use it. */
#include <pthread.h>
#include <stdlib.h>

typedef struct cb_curl_share {
    CURLSH *share;
    pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
} cb_curl_share;

static inline void cb_curl_share_lock(CURL *handle, curl_lock_data data, curl_lock_access access, void *user) {
    (void)handle;
    (void)access;
    pthread_mutex_lock(&((cb_curl_share *)user)->locks[data]);
}

static inline void cb_curl_share_unlock(CURL *handle, curl_lock_data data, void *user) {
    (void)handle;
    pthread_mutex_unlock(&((cb_curl_share *)user)->locks[data]);
}

static inline void cb_curl_share_free(cb_curl_share *cache) {
    if (!cache) return;
    if (cache->share) curl_share_cleanup(cache->share);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_destroy(&cache->locks[i]);
    free(cache);
}

/* NULL when libcurl refuses any part of it (the caller then opens a connection per request). */
static inline cb_curl_share *cb_curl_share_new(void) {
    cb_curl_share *cache = calloc(1, sizeof *cache);
    if (!cache) return NULL;
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_init(&cache->locks[i], NULL);
    cache->share = curl_share_init();
    if (!cache->share
        || curl_share_setopt(cache->share, CURLSHOPT_LOCKFUNC, cb_curl_share_lock) != CURLSHE_OK
        || curl_share_setopt(cache->share, CURLSHOPT_UNLOCKFUNC, cb_curl_share_unlock) != CURLSHE_OK
        || curl_share_setopt(cache->share, CURLSHOPT_USERDATA, cache) != CURLSHE_OK
        || curl_share_setopt(cache->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) != CURLSHE_OK
        || curl_share_setopt(cache->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK
        || curl_share_setopt(cache->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK) {
        cb_curl_share_free(cache);
        return NULL;
    }
    return cache;
}

static inline CURLcode cb_curl_setopt_share(CURL *handle, cb_curl_share *cache) {
    return curl_easy_setopt(handle, CURLOPT_SHARE, cache->share);
}

#endif
