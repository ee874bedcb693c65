/* plugins/datagen/quickstarts.c: the templates of the users, pageviews and orders quickstarts
 * (the field names and types Confluent's datagen quickstarts produce) and the lookup by name. */
#include <stddef.h>
#include <strings.h>

#include "quickstarts.h"

/* ksql.users, keyed by userid: a small set of users re-registered with random details. */
static const char users_json[] =
    "{\"namespace\": \"ksql\", \"name\": \"users\", \"type\": \"record\", \"fields\": ["
    " {\"name\": \"registertime\", \"type\": {\"type\": \"long\", \"arg.properties\":"
    "   {\"range\": {\"min\": 1487715775521, \"max\": 1519273364600}}}},"
    " {\"name\": \"userid\", \"type\": {\"type\": \"string\", \"arg.properties\":"
    "   {\"regex\": \"User_[1-9]\"}}},"
    " {\"name\": \"regionid\", \"type\": {\"type\": \"string\", \"arg.properties\":"
    "   {\"regex\": \"Region_[1-9]\"}}},"
    " {\"name\": \"gender\", \"type\": {\"type\": \"string\", \"arg.properties\":"
    "   {\"options\": [\"MALE\", \"FEMALE\", \"OTHER\"]}}}"
    "]}";

/* ksql.pageviews, keyed by viewtime: an increasing view time (1, 11, 21, ...). */
static const char pageviews_json[] =
    "{\"namespace\": \"ksql\", \"name\": \"pageviews\", \"type\": \"record\", \"fields\": ["
    " {\"name\": \"viewtime\", \"type\": {\"type\": \"long\", \"arg.properties\":"
    "   {\"iteration\": {\"start\": 1, \"step\": 10}}}},"
    " {\"name\": \"userid\", \"type\": {\"type\": \"string\", \"arg.properties\":"
    "   {\"regex\": \"User_[1-9]\"}}},"
    " {\"name\": \"pageid\", \"type\": {\"type\": \"string\", \"arg.properties\":"
    "   {\"regex\": \"Page_[1-9][0-9]?\"}}}"
    "]}";

/* ksql.orders, keyed by orderid: increasing order ids with a nested address record. */
static const char orders_json[] =
    "{\"namespace\": \"ksql\", \"name\": \"orders\", \"type\": \"record\", \"fields\": ["
    " {\"name\": \"ordertime\", \"type\": {\"type\": \"long\", \"arg.properties\":"
    "   {\"range\": {\"min\": 1487715775521, \"max\": 1519273364600}}}},"
    " {\"name\": \"orderid\", \"type\": {\"type\": \"int\", \"arg.properties\":"
    "   {\"iteration\": {\"start\": 0}}}},"
    " {\"name\": \"itemid\", \"type\": {\"type\": \"string\", \"arg.properties\":"
    "   {\"regex\": \"Item_[1-9][0-9]{0,2}\"}}},"
    " {\"name\": \"orderunits\", \"type\": {\"type\": \"double\", \"arg.properties\":"
    "   {\"range\": {\"min\": 0.1, \"max\": 10.0}}}},"
    " {\"name\": \"address\", \"type\": {\"type\": \"record\", \"name\": \"address\","
    "   \"fields\": ["
    "   {\"name\": \"city\", \"type\": {\"type\": \"string\", \"arg.properties\":"
    "     {\"regex\": \"City_[1-9]{1,2}\"}}},"
    "   {\"name\": \"state\", \"type\": {\"type\": \"string\", \"arg.properties\":"
    "     {\"regex\": \"State_[1-9]{1,2}\"}}},"
    "   {\"name\": \"zipcode\", \"type\": {\"type\": \"long\", \"arg.properties\":"
    "     {\"range\": {\"min\": 10000, \"max\": 99999}}}}"
    "  ]}}"
    "]}";

static const dg_quickstart quickstarts[] = {
    {"users", "userid", users_json},
    {"pageviews", "viewtime", pageviews_json},
    {"orders", "orderid", orders_json},
    {"trades", "id", NULL},
};

const dg_quickstart *dg_quickstart_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof(quickstarts) / sizeof(quickstarts[0]); i++)
        if (strcasecmp(quickstarts[i].name, name) == 0)
            return &quickstarts[i];
    return NULL;
}

bool dg_quickstart_is_trades(const dg_quickstart *q)
{
    return q != NULL && q->json == NULL;
}
