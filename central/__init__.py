"""The reference central platform: the station API that pilots, demos and tests run against."""
