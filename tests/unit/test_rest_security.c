/* tests/unit/test_rest_security.c: the REST filters without a server: basic auth headers, users
 * and JAAS files, CORS decisions, response header rules, and TLS key material loading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "props_util.h"
#include "rest/rest_security.h"

static char tmpdir[256];

static const char *path_of(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmpdir, name);
    return buf[k];
}

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(path_of(name), "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* ---- basic auth ---- */

static void test_basic_decode(void **state)
{
    (void)state;
    char *u = NULL, *p = NULL;
    assert_int_equal(rest_basic_decode("Basic dXNlcjpwYXNz", &u, &p), SL_OK); /* user:pass */
    assert_string_equal(u, "user");
    assert_string_equal(p, "pass");
    free(u);
    free(p);
    assert_int_equal(rest_basic_decode("bAsIc dTpwOnE=", &u, &p), SL_OK); /* u:p:q */
    assert_string_equal(u, "u");
    assert_string_equal(p, "p:q");
    free(u);
    free(p);
    assert_int_equal(rest_basic_decode("Basic dTo=", &u, &p), SL_OK); /* "u:" */
    assert_string_equal(p, "");
    free(u);
    free(p);
    const char *bad[] = {NULL,
                         "",
                         "Basic",
                         "Basic ",
                         " Basic dXNlcjpwYXNz",
                         "Bearer dXNlcjpwYXNz",
                         "Basicx dXNlcjpwYXNz",
                         "Basic ***",
                         "Basic dXNlcnBhc3M=",  /* no colon */
                         "Basic OnB3",          /* ":pw": empty user */
                         "Basic dXNlcjpwYXNz=", /* bad padding */
                         "Basic dQ",            /* one byte */
                         "Basic dQBzOnA=",      /* NUL inside */
                         "Basic /w==",          /* invalid UTF-8 */
                         "Basic d"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (rest_basic_decode(bad[i], &u, &p) != SL_ERR)
            fail_msg("accepted '%s'", bad[i] ? bad[i] : "(null)");
        assert_null(u);
        assert_null(p);
    }
}

static void test_users_file(void **state)
{
    (void)state;
    char err[512];
    rest_auth *a = NULL;
    write_file("users.properties", "# users\nalice: secret\nbob=pw,admin\n  carol   s p a c e\n");
    assert_int_equal(rest_auth_load_users(path_of("users.properties"), &a, err, sizeof(err)),
                     SL_OK);
    assert_true(rest_auth_check(a, "Basic YWxpY2U6c2VjcmV0"));      /* alice:secret */
    assert_false(rest_auth_check(a, "Basic YWxpY2U6c2VjcmV1"));     /* alice:secreu */
    assert_false(rest_auth_check(a, "Basic YWxpY2U6c2VjcmV0eA==")); /* alice:secretx */
    assert_true(rest_auth_check(a, "Basic Ym9iOnB3LGFkbWlu"));      /* bob:pw,admin */
    assert_false(rest_auth_check(a, "Basic Ym9iOnB3"));             /* bob:pw */
    assert_true(rest_auth_check(a, "Basic Y2Fyb2w6cyBwIGEgYyBl"));  /* carol:s p a c e */
    assert_false(rest_auth_check(a, "Basic bWFsbG9yeTpzZWNyZXQ=")); /* mallory:secret */
    assert_false(rest_auth_check(a, "Basic c2VjcmV0OmFsaWNl"));     /* secret:alice */
    assert_false(rest_auth_check(a, NULL));
    assert_false(rest_auth_check(a, "Digest x"));
    rest_auth_free(a);

    /* An empty file lets everyone in, as PropertyFileLoginModule does. */
    write_file("empty.properties", "# nobody\n");
    assert_int_equal(rest_auth_load_users(path_of("empty.properties"), &a, err, sizeof(err)),
                     SL_OK);
    assert_true(rest_auth_check(a, NULL));
    rest_auth_free(a);
    assert_true(rest_auth_check(NULL, NULL)); /* no authentication configured */

    assert_int_equal(rest_auth_load_users(path_of("missing.properties"), &a, err, sizeof(err)),
                     SL_ERR);
    assert_null(a);
    assert_non_null(strstr(err, "missing.properties"));
}

static void test_jaas(void **state)
{
    (void)state;
    char err[512], out[512];
    char text[1024];
    snprintf(text, sizeof(text),
             "// comment\nKafkaServer {\n  org.Foo required file=\"/wrong\";\n};\n"
             "/* block */ KafkaConnect {\n"
             "  org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule "
             "required\n  debug=\"true\"\n  file=\"%s\";\n};\n",
             path_of("users.properties"));
    write_file("jaas.conf", text);
    assert_int_equal(
        rest_auth_jaas_users_file(path_of("jaas.conf"), out, sizeof(out), err, sizeof(err)), SL_OK);
    assert_string_equal(out, path_of("users.properties"));

    write_file("other.conf", "KafkaServer { org.Foo required file=\"/x\"; };\n");
    assert_int_equal(
        rest_auth_jaas_users_file(path_of("other.conf"), out, sizeof(out), err, sizeof(err)),
        SL_ERR);
    assert_non_null(strstr(err, "KafkaConnect"));
    write_file("ldap.conf", "KafkaConnect { com.example.LdapLoginModule required file=\"/x\"; };");
    assert_int_equal(
        rest_auth_jaas_users_file(path_of("ldap.conf"), out, sizeof(out), err, sizeof(err)),
        SL_ERR);
    assert_non_null(strstr(err, "PropertyFileLoginModule"));
    write_file("broken.conf", "KafkaConnect { PropertyFileLoginModule required file= ;");
    assert_int_equal(
        rest_auth_jaas_users_file(path_of("broken.conf"), out, sizeof(out), err, sizeof(err)),
        SL_ERR);
    assert_int_equal(
        rest_auth_jaas_users_file(path_of("nope.conf"), out, sizeof(out), err, sizeof(err)),
        SL_ERR);
}

static void test_auth_config(void **state)
{
    (void)state;
    char err[512];
    rest_auth *a = (rest_auth *)1;
    sl_props *p = props("listeners", "http://:8083", NULL);
    assert_int_equal(rest_auth_from_config(p, &a, err, sizeof(err)), SL_OK);
    assert_null(a);
    sl_props_destroy(p);

    p = props("rest.extension.classes", "com.example.Other", NULL);
    assert_int_equal(rest_auth_from_config(p, &a, err, sizeof(err)), SL_ERR);
    assert_non_null(strstr(err, "com.example.Other"));
    sl_props_destroy(p);

    p = props("rest.extension.classes", REST_BASIC_AUTH_EXTENSION, NULL);
    assert_int_equal(rest_auth_from_config(p, &a, err, sizeof(err)), SL_ERR);
    assert_non_null(strstr(err, "rest.basic.auth.users.file"));
    sl_props_destroy(p);

    p = props("rest.extension.classes", " BasicAuthSecurityRestExtension ,",
              "rest.basic.auth.users.file", path_of("users.properties"), NULL);
    assert_int_equal(rest_auth_from_config(p, &a, err, sizeof(err)), SL_OK);
    assert_non_null(a);
    assert_true(rest_auth_check(a, "Basic YWxpY2U6c2VjcmV0"));
    rest_auth_free(a);
    sl_props_destroy(p);

    p = props("rest.extension.classes", REST_BASIC_AUTH_EXTENSION,
              "java.security.auth.login.config", path_of("jaas.conf"), NULL);
    assert_int_equal(rest_auth_from_config(p, &a, err, sizeof(err)), SL_OK);
    assert_true(rest_auth_check(a, "Basic YWxpY2U6c2VjcmV0"));
    rest_auth_free(a);
    sl_props_destroy(p);
}

static void test_auth_exempt(void **state)
{
    (void)state;
    char *tasks[] = {"connectors", "c", "tasks"};
    char *fence[] = {"connectors", "c", "fence"};
    char *restart[] = {"connectors", "c", "tasks", "0"};
    char *other[] = {"connectors", "c", "config"};
    assert_true(rest_auth_exempt("POST", tasks, 3, false));
    assert_false(rest_auth_exempt("GET", tasks, 3, false));
    assert_true(rest_auth_exempt("PUT", fence, 3, false));
    assert_false(rest_auth_exempt("POST", restart, 4, false));
    assert_false(rest_auth_exempt("POST", other, 3, false));
    assert_false(rest_auth_exempt("GET", NULL, 0, false));
    assert_true(rest_auth_exempt("OPTIONS", other, 3, true));
}

/* ---- CORS ---- */

static void test_cors(void **state)
{
    (void)state;
    assert_null(rest_cors_new(NULL, NULL));
    assert_null(rest_cors_new("  ", "GET"));
    rest_cors *c = rest_cors_new("http://a.example, http://*.b.example", NULL);
    assert_non_null(c);
    rest_headers h = {0};
    assert_int_equal(rest_cors_headers(c, "GET", "http://a.example", NULL, NULL, &h), SL_OK);
    assert_string_equal(rest_headers_get(&h, "access-control-allow-origin"), "http://a.example");
    assert_string_equal(rest_headers_get(&h, "Vary"), "Origin");
    assert_string_equal(rest_headers_get(&h, "Access-Control-Allow-Credentials"), "true");
    assert_null(rest_headers_get(&h, "Access-Control-Allow-Methods"));
    rest_headers_fini(&h);

    const char *refused[] = {"http://c.example", "http://a.example.evil",   "https://a.example",
                             "http://b.example", "http://x.b.example.evil", ""};
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        assert_int_equal(rest_cors_headers(c, "GET", refused[i], NULL, NULL, &h), SL_OK);
        if (h.n != 0)
            fail_msg("origin '%s' was allowed", refused[i]);
    }
    assert_int_equal(rest_cors_headers(c, "GET", NULL, NULL, NULL, &h), SL_OK);
    assert_int_equal(h.n, 0);
    assert_int_equal(rest_cors_headers(c, "GET", "http://x.b.example", NULL, NULL, &h), SL_OK);
    assert_string_equal(rest_headers_get(&h, "Access-Control-Allow-Origin"), "http://x.b.example");
    rest_headers_fini(&h);
    /* Several origins in the header: one allowed is enough (Jetty). */
    assert_int_equal(
        rest_cors_headers(c, "POST", "http://c.example http://a.example", NULL, NULL, &h), SL_OK);
    assert_non_null(rest_headers_get(&h, "Access-Control-Allow-Origin"));
    rest_headers_fini(&h);

    /* Preflights. */
    assert_true(rest_cors_is_preflight("OPTIONS", "GET"));
    assert_false(rest_cors_is_preflight("OPTIONS", NULL));
    assert_false(rest_cors_is_preflight("GET", "GET"));
    assert_int_equal(
        rest_cors_headers(c, "OPTIONS", "http://a.example", "POST", "content-type, Accept", &h),
        SL_OK);
    assert_string_equal(rest_headers_get(&h, "Access-Control-Allow-Methods"), "GET,POST,HEAD");
    assert_string_equal(rest_headers_get(&h, "Access-Control-Max-Age"), "1800");
    assert_string_equal(rest_headers_get(&h, "Access-Control-Allow-Headers"),
                        "X-Requested-With,Content-Type,Accept,Origin");
    rest_headers_fini(&h);
    /* DELETE is not in the default methods; X-Custom not in the allowed headers. */
    assert_int_equal(rest_cors_headers(c, "OPTIONS", "http://a.example", "DELETE", NULL, &h),
                     SL_OK);
    assert_int_equal(h.n, 0);
    assert_int_equal(rest_cors_headers(c, "OPTIONS", "http://a.example", "GET", "X-Custom", &h),
                     SL_OK);
    assert_int_equal(h.n, 0);
    rest_cors_free(c);

    c = rest_cors_new("*", "GET, PUT,DELETE");
    assert_int_equal(rest_cors_headers(c, "OPTIONS", "http://any.where", "DELETE", "", &h), SL_OK);
    assert_string_equal(rest_headers_get(&h, "Access-Control-Allow-Origin"), "http://any.where");
    assert_null(rest_headers_get(&h, "Vary")); /* any origin: the answer does not vary */
    assert_string_equal(rest_headers_get(&h, "Access-Control-Allow-Methods"), "GET,PUT,DELETE");
    rest_headers_fini(&h);
    assert_int_equal(rest_cors_headers(c, "OPTIONS", "http://any.where", "POST", NULL, &h), SL_OK);
    assert_int_equal(h.n, 0);
    /* Methods compare case-sensitively, as Jetty does. */
    assert_int_equal(rest_cors_headers(c, "OPTIONS", "http://any.where", "delete", NULL, &h),
                     SL_OK);
    assert_int_equal(h.n, 0);
    rest_cors_free(c);
}

/* ---- response header rules ---- */

static void test_header_rules(void **state)
{
    (void)state;
    char err[512];
    rest_header_rule *rules = NULL;
    size_t n = 0;
    assert_int_equal(rest_header_rules_parse("", &rules, &n, err, sizeof(err)), SL_OK);
    assert_int_equal(n, 0);
    assert_int_equal(rest_header_rules_parse(NULL, &rules, &n, err, sizeof(err)), SL_OK);
    assert_int_equal(rest_header_rules_parse(
                         "set X-Frame-Options: DENY, add Cache-Control: no-cache,"
                         "ADD Cache-Control: no-store ,setDate Expires: 3600000,"
                         "addDate Last-Modified: 0, \"set X-Csv: a,b\", set Content-Type: text/x",
                         &rules, &n, err, sizeof(err)),
                     SL_OK);
    assert_int_equal(n, 7);
    assert_int_equal(rules[0].action, REST_RULE_SET);
    assert_string_equal(rules[0].name, "X-Frame-Options");
    assert_string_equal(rules[0].value, "DENY");
    assert_int_equal(rules[3].action, REST_RULE_SET_DATE);
    assert_int_equal(rules[3].offset_ms, 3600000);
    assert_string_equal(rules[5].value, "a,b");

    rest_headers h = {0};
    rest_headers_put(&h, "Content-Type", "application/json", true);
    rest_headers_put(&h, "Cache-Control", "private", false);
    assert_int_equal(rest_header_rules_apply(rules, n, 784111777000LL, &h), SL_OK);
    assert_string_equal(rest_headers_get(&h, "x-frame-options"), "DENY");
    assert_string_equal(rest_headers_get(&h, "Content-Type"), "text/x"); /* set replaced it */
    int cache = 0;
    for (size_t i = 0; i < h.n; i++)
        cache += strcasecmp(h.v[i].name, "Cache-Control") == 0;
    assert_int_equal(cache, 3); /* add keeps what was there */
    assert_string_equal(rest_headers_get(&h, "Expires"), "Sun, 06 Nov 1994 09:49:37 GMT");
    assert_string_equal(rest_headers_get(&h, "Last-Modified"), "Sun, 06 Nov 1994 08:49:37 GMT");
    rest_headers_fini(&h);
    rest_header_rules_free(rules, n);

    char date[64];
    rest_http_date(0, date, sizeof(date));
    assert_string_equal(date, "Thu, 01 Jan 1970 00:00:00 GMT");

    const struct {
        const char *config, *message;
    } bad[] = {
        {"bogus X-A: b", "Invalid header config action: 'bogus'"},
        {"set", "Invalid format of header config 'set'"},
        {"set X-A", "Invalid format of header name and header value pair 'X-A'"},
        {"set X-A:", "Invalid format of header name and header value pair"},
        {"set X A: b", "Invalid header name 'X A'"},
        {"set : b", "Invalid header name ''"},
        {"setDate Expires: soon", "Invalid header value 'soon'"},
        {"set X-A: b, \"set X-B: c", "unbalanced quote"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        if (rest_header_rules_parse(bad[i].config, &rules, &n, err, sizeof(err)) != SL_ERR)
            fail_msg("accepted '%s'", bad[i].config);
        if (strstr(err, bad[i].message) == NULL)
            fail_msg("'%s': message '%s' lacks '%s'", bad[i].config, err, bad[i].message);
        assert_null(rules);
    }
}

/* ---- TLS key material ---- */

static EVP_PKEY *new_key(void)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(k);
    return k;
}

static X509 *new_cert(EVP_PKEY *key, const char *cn)
{
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_set_pubkey(x, key);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    return x;
}

/* server.pem (cert + key), enc.pem (cert + key encrypted with "kpass"), other.pem (cert of
 * another key + this key), ks.p12 (password "spass"), ca2.pem (two certificates). */
static void make_stores(void)
{
    EVP_PKEY *k = new_key(), *k2 = new_key();
    X509 *c = new_cert(k, "localhost"), *c2 = new_cert(k2, "other");
    FILE *f = fopen(path_of("server.pem"), "wb");
    PEM_write_X509(f, c);
    PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
    fclose(f);
    f = fopen(path_of("enc.pem"), "wb");
    PEM_write_PrivateKey(f, k, EVP_aes_256_cbc(), NULL, 0, NULL, (void *)"kpass");
    PEM_write_X509(f, c);
    fclose(f);
    f = fopen(path_of("other.pem"), "wb");
    PEM_write_X509(f, c2);
    PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
    fclose(f);
    f = fopen(path_of("ca2.pem"), "wb");
    PEM_write_X509(f, c);
    PEM_write_X509(f, c2);
    fclose(f);
    PKCS12 *p12 = PKCS12_create("spass", "server", k, c, NULL, 0, 0, 0, 0, 0);
    assert_non_null(p12);
    f = fopen(path_of("ks.p12"), "wb");
    i2d_PKCS12_fp(f, p12);
    fclose(f);
    PKCS12_free(p12);
    X509_free(c);
    X509_free(c2);
    EVP_PKEY_free(k);
    EVP_PKEY_free(k2);
}

static size_t count_of(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, what)) != NULL; p++)
        n++;
    return n;
}

static void tls_fails(sl_props *p, const char *prefix, const char *message)
{
    rest_tls t;
    char err[512] = "";
    if (rest_tls_load(p, prefix, true, &t, err, sizeof(err)) != SL_ERR)
        fail_msg("loaded; expected '%s'", message);
    if (strstr(err, message) == NULL)
        fail_msg("message '%s' lacks '%s'", err, message);
    assert_null(t.cert_pem);
    sl_props_destroy(p);
}

static void test_tls_load(void **state)
{
    (void)state;
    make_stores();
    rest_tls t;
    char err[512];
    sl_props *p = props("listeners.https.ssl.keystore.location", path_of("server.pem"), NULL);
    assert_int_equal(rest_tls_load(p, "listeners.https.", true, &t, err, sizeof(err)), SL_OK);
    assert_int_equal(count_of(t.cert_pem, "BEGIN CERTIFICATE"), 1);
    assert_non_null(strstr(t.key_pem, "BEGIN PRIVATE KEY"));
    assert_null(t.trust_pem);
    assert_int_equal(t.client_auth, REST_CLIENT_AUTH_NONE);
    assert_true(t.verify_hostname);
    assert_null(t.priorities);
    rest_tls_fini(&t);
    sl_props_destroy(p);

    /* Unprefixed ssl.* when no listeners.https. key exists; every other setting read. */
    p = props("ssl.keystore.location", path_of("enc.pem"), "ssl.key.password", "kpass",
              "ssl.truststore.location", path_of("ca2.pem"), "ssl.client.auth", "REQUIRED",
              "ssl.enabled.protocols", "TLSv1.3, TLSv1.2", "ssl.endpoint.identification.algorithm",
              "", NULL);
    assert_int_equal(rest_tls_load(p, "listeners.https.", true, &t, err, sizeof(err)), SL_OK);
    assert_non_null(strstr(t.key_pem, "BEGIN PRIVATE KEY")); /* decrypted */
    assert_int_equal(count_of(t.trust_pem, "BEGIN CERTIFICATE"), 2);
    assert_int_equal(t.client_auth, REST_CLIENT_AUTH_REQUIRED);
    assert_string_equal(t.priorities, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2");
    assert_false(t.verify_hostname);
    rest_tls_fini(&t);
    sl_props_destroy(p);

    /* All or nothing: one prefixed key and the unprefixed ones are ignored. */
    p = props("ssl.keystore.location", "/nonexistent", "listeners.https.ssl.keystore.type",
              "PKCS12", "listeners.https.ssl.keystore.location", path_of("ks.p12"),
              "listeners.https.ssl.keystore.password", "spass", NULL);
    assert_int_equal(rest_tls_load(p, "listeners.https.", true, &t, err, sizeof(err)), SL_OK);
    assert_int_equal(count_of(t.cert_pem, "BEGIN CERTIFICATE"), 1);
    rest_tls_fini(&t);
    sl_props_destroy(p);
    /* PKCS12 is recognised without a type, too. */
    p = props("ssl.keystore.location", path_of("ks.p12"), "ssl.keystore.password", "spass", NULL);
    assert_int_equal(rest_tls_load(p, "admin.listeners.https.", true, &t, err, sizeof(err)), SL_OK);
    rest_tls_fini(&t);
    sl_props_destroy(p);

    /* Inline PEM (Kafka's ssl.keystore.type=PEM). */
    FILE *f = fopen(path_of("server.pem"), "rb");
    char pem[8192];
    size_t len = fread(pem, 1, sizeof(pem) - 1, f);
    fclose(f);
    pem[len] = '\0';
    p = props("ssl.keystore.type", "PEM", "ssl.keystore.certificate.chain", pem, "ssl.keystore.key",
              pem, "ssl.truststore.certificates", pem, NULL);
    assert_int_equal(rest_tls_load(p, "listeners.https.", true, &t, err, sizeof(err)), SL_OK);
    assert_int_equal(count_of(t.trust_pem, "BEGIN CERTIFICATE"), 1);
    rest_tls_fini(&t);
    sl_props_destroy(p);

    /* No key store: fine for the forwarder, an error for a listener. */
    p = props("ssl.truststore.location", path_of("ca2.pem"), NULL);
    assert_int_equal(rest_tls_load(p, "listeners.https.", false, &t, err, sizeof(err)), SL_OK);
    assert_null(t.cert_pem);
    assert_non_null(t.trust_pem);
    rest_tls_fini(&t);
    tls_fails(p, "listeners.https.", "ssl.keystore.location");

    tls_fails(props("listeners.https.ssl.keystore.location", "/nonexistent/ks.pem", NULL),
              "listeners.https.", "listeners.https.ssl.keystore.location: cannot read");
    tls_fails(props("ssl.keystore.location", path_of("enc.pem"), "ssl.key.password", "wrong", NULL),
              "listeners.https.", "ssl.key.password");
    tls_fails(props("ssl.keystore.location", path_of("enc.pem"), NULL), "listeners.https.",
              "private key");
    tls_fails(props("ssl.keystore.location", path_of("other.pem"), NULL), "listeners.https.",
              "does not match");
    tls_fails(
        props("ssl.keystore.location", path_of("ks.p12"), "ssl.keystore.password", "bad", NULL),
        "listeners.https.", "PKCS12");
    tls_fails(props("ssl.keystore.type", "JKS", "ssl.keystore.location", path_of("ks.p12"), NULL),
              "listeners.https.", "JKS is not supported");
    tls_fails(props("ssl.keystore.location", path_of("ca2.pem"), NULL), "listeners.https.",
              "private key");
    write_file("garbage.bin", "not a key store at all");
    tls_fails(props("ssl.keystore.location", path_of("garbage.bin"), NULL), "listeners.https.",
              "PKCS12");
    tls_fails(
        props("ssl.keystore.location", path_of("server.pem"), "ssl.client.auth", "maybe", NULL),
        "listeners.https.", "ssl.client.auth");
    tls_fails(
        props("ssl.keystore.location", path_of("server.pem"), "ssl.client.auth", "requested", NULL),
        "listeners.https.", "trust store");
    tls_fails(props("ssl.keystore.location", path_of("server.pem"), "ssl.enabled.protocols",
                    "SSLv3", NULL),
              "listeners.https.", "SSLv3");
    tls_fails(props("ssl.keystore.location", path_of("server.pem"), "ssl.truststore.location",
                    path_of("garbage.bin"), "ssl.truststore.type", "PEM", NULL),
              "listeners.https.", "no certificate found");
    tls_fails(props("ssl.keystore.certificate.chain", pem, NULL), "listeners.https.",
              "must be set together");
}

int main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/sluice-test-rest-security-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_decode), cmocka_unit_test(test_users_file),
        cmocka_unit_test(test_jaas),         cmocka_unit_test(test_auth_config),
        cmocka_unit_test(test_auth_exempt),  cmocka_unit_test(test_cors),
        cmocka_unit_test(test_header_rules), cmocka_unit_test(test_tls_load),
    };
    int rc = cmocka_run_group_tests_name("rest_security", tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return rc;
}
