/* Preloaded into wrk (LD_PRELOAD) for the TLS part's full handshakes. wrk ends a connection with
   SSL_shutdown and SSL_clear and connects again on the same SSL object, which keeps the session, so
   every later connection resumes it (a ticket): no key exchange, no signature. Forgetting the session
   before SSL_clear makes each new connection a full handshake. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

typedef struct ssl_st SSL;
typedef struct ssl_session_st SSL_SESSION;
int SSL_set_session(SSL *ssl, SSL_SESSION *session);

int SSL_clear(SSL *ssl) {
    static int (*real_clear)(SSL *) = NULL;
    if (real_clear == NULL)
        real_clear = (int (*)(SSL *))dlsym(RTLD_NEXT, "SSL_clear");
    SSL_set_session(ssl, NULL);
    return real_clear(ssl);
}
