"""TICKscripts several test packages run verbatim."""

from __future__ import annotations

# Chronograf's threshold rule (chronograf kapacitor/tickscripts_test.go) with the values of api.md §4.4; only
# the message differs between the tests that run it.
_CHRONOGRAF_RULE = """var db = 'telegraf'

var rp = 'autogen'

var measurement = 'cpu'

var groupBy = ['host', 'cluster_id']

var whereFilter = lambda: ("cpu" == 'cpu_total') AND ("host" == 'a' OR "host" == 'b')

var period = 10m

var every = 30s

var name = 'name'

var idVar = name + '-{{{{.Group}}}}'

var message = {message}

var idTag = 'alertID'

var levelTag = 'level'

var messageField = 'message'

var durationField = 'duration'

var outputDB = 'chronograf'

var outputRP = 'autogen'

var outputMeasurement = 'alerts'

var triggerType = 'threshold'

var crit = 90

var data = stream
    |from()
        .database(db)
        .retentionPolicy(rp)
        .measurement(measurement)
        .groupBy(groupBy)
        .where(whereFilter)
    |window()
        .period(period)
        .every(every)
        .align()
    |mean('usage_user')
        .as('value')

var trigger = data
    |alert()
        .crit(lambda: "value" > crit)
        .stateChangesOnly()
        .message(message)
        .id(idVar)
        .idTag(idTag)
        .levelTag(levelTag)
        .messageField(messageField)
        .durationField(durationField)
        .email()
        .victorOps()
        .slack()

trigger
    |eval(lambda: float("value"))
        .as('value')
        .keep()
    |influxDBOut()
        .create()
        .database(outputDB)
        .retentionPolicy(outputRP)
        .measurement(outputMeasurement)
        .tag('alertName', name)
        .tag('triggerType', triggerType)

trigger
    |httpOut('output')
"""


def chronograf_rule(message: str = "'message'") -> str:
    """The rule with `message` (a TICKscript string literal, quotes included) as its message var."""
    return _CHRONOGRAF_RULE.format(message=message)
